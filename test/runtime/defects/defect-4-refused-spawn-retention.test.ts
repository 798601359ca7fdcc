// Issue 15, defect 4: a spawn refused because its write-ahead record failed never existed as
// a run: spawn() rejects with StoreError E_STORE_UNAVAILABLE, no `run.finalized` event names
// it, list() does not show it, and it does not count toward `retention.maxFinishedRecords`,
// so the final records of real runs survive it. Real processes, a real SQLite store (the
// supervisor's Keyv, handed in by the test, which makes it refuse writes).
import { expect, test } from 'vitest';
import {
  createSupervisor,
  StoreError,
  type Supervisor,
  type SupervisorEvent,
} from '../../../src/index.js';
import { liveMarked } from '../../support/process-checks.js';
import { createTempHome } from '../../support/temp-home.js';
import { waitUntil } from '../../support/wait-for.js';
import {
  openFaultyStore,
  storedRuns,
  sweepHome,
  trackRunIds,
  uniqueName,
  type FaultyStore,
} from './defect-support.js';

/** A run that finishes by itself; resolves its id once its final record is written. */
async function finishOne(sup: Supervisor): Promise<string> {
  const run = await sup.spawn({ command: 'true' });
  expect(await run.exited).toMatchObject({ reason: 'exit', exitCode: 0 });
  return run.id;
}

/**
 * Spawns while `down()` makes the store fail, expects the typed refusal, brings the store back
 * and waits until the supervisor sees it healthy. Returns the refused run's id.
 */
async function refusedSpawn(
  sup: Supervisor,
  store: FaultyStore,
  down: (failing: boolean) => void,
): Promise<string> {
  down(true);
  const refused: unknown = await sup.spawn({ command: 'sleep', args: ['60'] }).then(
    (run) => run,
    (error: unknown) => error,
  );
  down(false);
  expect(refused).toBeInstanceOf(StoreError);
  expect(refused).toMatchObject({ code: 'E_STORE_UNAVAILABLE' });
  const id = /run (\S+) was not started/.exec((refused as Error).message)?.[1] ?? '';
  expect(id, (refused as Error).message).not.toBe('');
  expect(liveMarked(id)).toEqual([]);
  await waitUntil(() => sup.storeHealth.state === 'ok', 20_000, 'the store to be healthy again');
  // Deletes the supervisor issued meanwhile have finished too.
  await waitUntil(() => store.inFlight === 0, 10_000, 'the store to be idle');
  return id;
}

/** What the refused run must never have been: finalized, listed, or stored. */
async function expectNeverARun(
  sup: Supervisor,
  events: readonly SupervisorEvent[],
  home: string,
  name: string,
  refusedId: string,
): Promise<void> {
  const finalized = events.filter((e) => e.type === 'run.finalized' && e.runId === refusedId);
  expect.soft(finalized, 'run.finalized events of the refused spawn').toEqual([]);
  expect.soft(sup.get(refusedId)).toBeUndefined();
  expect.soft(sup.list().map((info) => info.id)).not.toContain(refusedId);
  expect.soft((await storedRuns(home, name)).has(refusedId), 'refused run stored').toBe(false);
}

test('maxFinishedRecords 1: a refused spawn is no finished run and deletes no final record', async () => {
  const home = createTempHome();
  const name = uniqueName('defect-4-one');
  const ids = new Set<string>();
  const store = await openFaultyStore(home.path);
  const retention = { maxFinishedRecords: 1 };
  const sup = await createSupervisor({ home: home.path, name, store: store.keyv, retention });
  trackRunIds(sup, ids);
  const events: SupervisorEvent[] = [];
  sup.onEvent((event) => events.push(event));
  try {
    const real = await finishOne(sup);
    expect((await storedRuns(home.path, name)).get(real)?.final).toBe(true);
    const deleted: string[] = [];
    store.afterDelete = (key) => deleted.push(key);
    // The store refuses record writes; it still reads and deletes.
    let failing = false;
    store.beforeWrite = (key) => {
      if (failing && key.startsWith(`${name}/run/`)) throw new Error('store refuses writes');
    };
    const refusedId = await refusedSpawn(sup, store, (down) => (failing = down));

    await expectNeverARun(sup, events, home.path, name, refusedId);
    // Never deleted, not even for a moment (a store that recovers gets records rewritten).
    expect.soft(deleted, 'records deleted').not.toContain(`${name}/run/${real}`);
    const stored = await storedRuns(home.path, name);
    expect.soft(stored.get(real)?.final, 'final record of the real run').toBe(true);
    expect.soft(sup.list().map((info) => info.id)).toEqual([real]);
  } finally {
    await sup.shutdown();
    await store.close();
    await sweepHome(home.path, name, ids);
    home.remove();
  }
}, 60_000);

test('maxFinishedRecords 2: after a refused spawn in a full outage, the two newest real runs keep their records', async () => {
  const home = createTempHome();
  const name = uniqueName('defect-4-two');
  const ids = new Set<string>();
  const store = await openFaultyStore(home.path);
  const retention = { maxFinishedRecords: 2 };
  const sup = await createSupervisor({ home: home.path, name, store: store.keyv, retention });
  trackRunIds(sup, ids);
  const events: SupervisorEvent[] = [];
  sup.onEvent((event) => events.push(event));
  try {
    const first = await finishOne(sup);
    // Every write and delete of a run record fails while the store is down.
    let failing = false;
    const refuse = (key: string) => {
      if (failing && key.startsWith(`${name}/run/`)) throw new Error('store is down');
    };
    store.beforeWrite = refuse;
    store.beforeDelete = refuse;
    const deleted: string[] = [];
    store.afterDelete = (key) => {
      if (!failing) deleted.push(key);
    };
    const refusedId = await refusedSpawn(sup, store, (down) => (failing = down));
    // The store is back; a second real run finishes: with the first, the two newest real ones.
    const second = await finishOne(sup);
    await waitUntil(() => store.inFlight === 0, 10_000, 'the store to be idle');

    await expectNeverARun(sup, events, home.path, name, refusedId);
    expect.soft(deleted, 'records deleted').not.toContain(`${name}/run/${first}`);
    const stored = await storedRuns(home.path, name);
    expect.soft(stored.get(first)?.final, 'final record of the first real run').toBe(true);
    expect.soft(stored.get(second)?.final, 'final record of the second real run').toBe(true);
    expect.soft([...stored.keys()].sort()).toEqual([first, second].sort());
  } finally {
    await sup.shutdown();
    await store.close();
    await sweepHome(home.path, name, ids);
    home.remove();
  }
}, 60_000);
