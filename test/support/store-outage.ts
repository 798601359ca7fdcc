// A store outage, the same for every networked store: a real server the test stops while
// runs live and spawns arrive, then starts again. Live runs go on, spawns are refused with a
// typed StoreError (never a process without a record), the supervisor reports `degraded`,
// and once the server is back every record catches up.
import { expect } from 'vitest';
import {
  StoreError,
  type RunHandle,
  type Supervisor,
  type SupervisorEvent,
} from '../../src/index.js';
import { liveMarked } from './process-checks.js';
import { waitUntil } from './wait-for.js';

/** A run record read back from the store, as far as these tests look into it. */
export interface StoredRecord {
  readonly final: boolean;
  readonly snapshot: {
    readonly value: string;
    readonly context: {
      readonly outputBytes: number;
      readonly exit: { readonly reason: string; readonly exitCode: number | null } | null;
    };
  };
}

/** A store server the test controls, and its records read behind the supervisor's back. */
export interface OutageStore {
  /** Stops the server now (synchronously): every connection to it breaks. */
  readonly stop: () => void;
  /** Starts it again on the same port, with or without its data. */
  readonly start: () => void;
  /** The run records of supervisor `default`, by run id. */
  readonly readRecords: () => Promise<Map<string, StoredRecord>>;
}

// Seconds, not milliseconds: the probe runs once a second and retries back off to 5 s, on a
// machine whose two cores other tests keep busy.
const WAIT_MS = 20_000;
/** The bound of a test running the outage: several waits of up to WAIT_MS, and a server's restart. */
export const OUTAGE_TEST_MS = 120_000;
const SLEEPER = { command: 'sleep', args: ['60'] };

/** Runs the outage against `sup`, whose store is `store`'s server. */
export async function exerciseStoreOutage(sup: Supervisor, store: OutageStore): Promise<void> {
  const events: SupervisorEvent[] = [];
  sup.onEvent((event) => events.push(event));
  const ticking = await sup.spawn({
    command: 'sh',
    args: ['-c', 'while true; do echo tick; sleep 0.1; done'],
    killGraceMs: 500,
  });
  const gate = await sup.spawn({ command: 'sh', args: ['-c', 'read line; exit 5'] });
  expect(sup.storeHealth.state).toBe('ok');

  // The server dies under a spawn already under way: its run exists (in `recording`) but its
  // write-ahead record is not written yet (the write goes out on a later tick).
  const stopOnSpawning = sup.onEvent((event) => {
    if (event.type === 'run.state' && event.to === 'recording') {
      stopOnSpawning();
      store.stop();
    }
  });
  const underWay = await refusal(sup.spawn(SLEEPER), sup);
  await waitUntil(() => sup.storeHealth.state === 'degraded', WAIT_MS, 'degraded');
  expect(events).toContainEqual(
    expect.objectContaining({
      type: 'store.health',
      health: expect.objectContaining({ state: 'degraded' }) as unknown,
    }),
  );

  // Spawns arriving while the store is down: each refused, none started.
  const arriving = await Promise.all(
    [1, 2, 3].map(async () => await refusal(sup.spawn(SLEEPER), sup)),
  );
  const refused = [underWay, ...arriving];

  // Live runs go on: output keeps coming, and one finishes while the store is down.
  const before = ticking.info().outputBytes;
  await waitUntil(() => ticking.info().outputBytes > before + 20, WAIT_MS, 'more output');
  gate.write('go\n');
  expect(await gate.exited).toMatchObject({ reason: 'exit', exitCode: 5 });
  expect(sup.storeHealth).toMatchObject({ state: 'degraded' });
  expect(sup.storeHealth.laggingRuns).toContain(gate.id);

  // The server is back: every record catches up, the finished run's final one included.
  store.start();
  await waitUntil(() => sup.storeHealth.state === 'ok', WAIT_MS, 'the store to catch up');
  const health = events.flatMap((event) => (event.type === 'store.health' ? [event.health] : []));
  expect(health.at(-1)?.state).toBe('ok');
  const outputAtReturn = ticking.info().outputBytes;
  const records = await waitUntil(
    async () => {
      const found = await store.readRecords();
      const latest = found.get(ticking.id)?.snapshot.context.outputBytes ?? -1;
      return found.get(gate.id)?.final === true && latest >= outputAtReturn ? found : null;
    },
    WAIT_MS,
    'every record to catch up',
  );
  expect(records.get(gate.id)).toMatchObject({
    final: true,
    snapshot: { value: 'done', context: { exit: { reason: 'exit', exitCode: 5 } } },
  });
  expect(records.get(ticking.id)?.final).toBe(false);
  expect(['running', 'idle']).toContain(records.get(ticking.id)?.snapshot.value);
  for (const id of refused) expect(records.has(id), `refused run ${id} has a record`).toBe(false);

  // Spawning works again.
  const after = await sup.spawn({ command: 'true' });
  expect(await after.exited).toMatchObject({ reason: 'exit', exitCode: 0 });
  await endRun(ticking);
}

// Expects `spawning` to be refused with a typed error, with no process and no run left;
// returns the refused run's id (named in the message).
async function refusal(spawning: Promise<RunHandle>, sup: Supervisor): Promise<string> {
  const error = await spawning.then(
    (run) => run,
    (error: unknown) => error,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect(error).toMatchObject({ code: 'E_STORE_UNAVAILABLE' });
  const id = /run (\S+) was not started/.exec((error as Error).message)?.[1] ?? '';
  expect(id, (error as Error).message).not.toBe('');
  expect(liveMarked(id)).toEqual([]);
  expect(sup.get(id)).toBeUndefined();
  return id;
}

async function endRun(run: RunHandle): Promise<void> {
  await run.cancel();
  expect(liveMarked(run.id)).toEqual([]);
}
