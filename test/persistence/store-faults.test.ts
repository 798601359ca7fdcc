// Store faults with a real Redis that the test stops and restarts: live runs go on, new
// spawns are refused with a typed error (never a process without a record), the supervisor
// reports `degraded`, and once Redis is back every record catches up, even though this
// Redis comes back empty (no persistence).
import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';
import { afterEach, expect } from 'vitest';
import { StoreError, type SupervisorEvent } from '../../src/index.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { liveMarked } from '../support/process-checks.js';
import { toolOnPath } from '../support/machine-requirements.js';
import { freePort, startRedisOn, stopRedisOn } from '../support/redis-server.js';
import { testNeeding } from '../support/requirements.js';
import { waitUntil } from '../support/wait-for.js';

const supervisors = useSupervisors();
const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

async function readRecords(url: string, name: string): Promise<Map<string, unknown>> {
  const keyv = new Keyv({ store: new KeyvRedis(url), useKeyPrefix: false });
  const records = new Map<string, unknown>();
  const iterator = keyv.iterator;
  if (iterator === undefined) throw new Error('the Redis store cannot be iterated');
  for await (const [key, value] of iterator.call(keyv, undefined)) {
    if (typeof key === 'string' && key.startsWith(`${name}/run/`))
      records.set(key.slice(`${name}/run/`.length), value);
  }
  await keyv.disconnect();
  return records;
}

testNeeding(toolOnPath('redis-server', 'apt-get install redis-server; .ci/run installs it'))(
  'Redis goes down and comes back: runs go on, spawns are refused, records catch up',
  async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    startRedisOn(port);
    stops.push(() => {
      stopRedisOn(port);
    });
    const sup = await supervisors({ store: url });
    const events: SupervisorEvent[] = [];
    sup.onEvent((event) => events.push(event));

    const ticking = await sup.spawn({
      command: 'sh',
      args: ['-c', 'while true; do echo tick; sleep 0.1; done'],
      killGraceMs: 500,
    });
    const gate = await sup.spawn({ command: 'sh', args: ['-c', 'read line; exit 5'] });
    expect(sup.storeHealth.state).toBe('ok');

    stopRedisOn(port);
    await waitUntil(() => sup.storeHealth.state === 'degraded', 10_000, 'degraded');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'store.health',
        health: expect.objectContaining({ state: 'degraded' }) as unknown,
      }),
    );

    // A spawn while the store is down: a typed error, and no process.
    const refused = await sup.spawn({ command: 'sleep', args: ['60'] }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused).toMatchObject({ code: 'E_STORE_UNAVAILABLE' });
    const refusedId = /run (\S+) was not started/.exec((refused as Error).message)?.[1];
    expect(refusedId).toBeDefined();
    expect(liveMarked(refusedId ?? '')).toEqual([]);
    expect(sup.get(refusedId ?? '')).toBeUndefined();

    // Live runs go on: output keeps coming, and one finishes while the store is down.
    const before = ticking.info().outputBytes;
    await waitUntil(() => ticking.info().outputBytes > before + 20, 10_000, 'more output');
    gate.write('go\n');
    expect(await gate.exited).toMatchObject({ reason: 'exit', exitCode: 5 });
    expect(sup.storeHealth.laggingRuns).toContain(gate.id);

    // Redis is back, empty: every record is written again.
    startRedisOn(port);
    await waitUntil(() => sup.storeHealth.state === 'ok', 20_000, 'the store to catch up');
    const records = await waitUntil(
      async () => {
        const found = await readRecords(url, 'default');
        return found.size >= 2 ? found : null;
      },
      10_000,
      'the records',
    );
    const gateRecord = records.get(gate.id) as {
      final: boolean;
      snapshot: { context: { exit: { exitCode: number } } };
    };
    expect(gateRecord.final).toBe(true);
    expect(gateRecord.snapshot.context.exit.exitCode).toBe(5);
    const tickingRecord = records.get(ticking.id) as {
      final: boolean;
      snapshot: { value: string };
    };
    expect(tickingRecord.final).toBe(false);
    expect(['running', 'idle']).toContain(tickingRecord.snapshot.value);
    expect(records.has(refusedId ?? '')).toBe(false);

    // Spawning works again.
    const after = await sup.spawn({ command: 'true' });
    expect(await after.exited).toMatchObject({ reason: 'exit', exitCode: 0 });
    await ticking.cancel();
    expect(liveMarked(ticking.id)).toEqual([]);
  },
);
