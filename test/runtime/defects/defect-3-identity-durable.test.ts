// Issue 15, defect 3: `spawn()` resolves only once the record holding the process identity
// (pid + identity) is durable (invariant 1 of docs/architecture.md). The store takes the
// write-ahead record, then refuses the run's next writes (its identity record) until it
// refused at least two of them while spawn() was still pending; the store then comes back.
// Whatever spawn() did, the record read right after it resolved must name the process.
// Real processes, a real SQLite store (the supervisor's Keyv, handed in by the test).
import { expect, test } from 'vitest';
import { createSupervisor, StoreError, type RunHandle } from '../../../src/index.js';
import { liveMarked } from '../../support/process-checks.js';
import { createTempHome } from '../../support/temp-home.js';
import { waitUntil } from '../../support/wait-for.js';
import {
  openFaultyStore,
  recordState,
  storedRun,
  sweepHome,
  trackRunIds,
  uniqueName,
} from './defect-support.js';

test('spawn() resolves only once the record with the pid and identity is durable', async () => {
  const home = createTempHome();
  const name = uniqueName('defect-3');
  const ids = new Set<string>();
  const store = await openFaultyStore(home.path);
  const sup = await createSupervisor({ home: home.path, name, store: store.keyv });
  trackRunIds(sup, ids);
  // After the write-ahead record of the run landed, its later writes are refused: while
  // spawn() is pending, until two were refused (the first attempt and a retry); once
  // spawn() settled, until the test read the record back.
  let runKey: string | null = null;
  let refusals = 0;
  let settled = false;
  let readBack = false;
  store.afterWrite = (key, value) => {
    if (runKey === null && recordState(value) === 'spawning') runKey = key;
  };
  store.beforeWrite = (key) => {
    if (key !== runKey || readBack || (!settled && refusals >= 2)) return;
    refusals++;
    throw new Error('store is down');
  };
  try {
    const outcome = await sup
      .spawn({ command: 'sleep', args: ['60'], killGraceMs: 500 })
      .then(
        (run) => ({ ok: true as const, run }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      .finally(() => (settled = true));
    // Read at once: whatever spawn() waited for must already be in the store.
    const [runId] = ids;
    if (runId === undefined) throw new Error('the run was never announced');
    const record = await storedRun(home.path, name, runId);
    readBack = true;
    expect(refusals, 'writes refused after the write-ahead record').toBeGreaterThanOrEqual(1);
    if (!outcome.ok) {
      // Refusing the spawn is allowed too, if no process is left behind without a record.
      expect(outcome.error).toBeInstanceOf(StoreError);
      await waitUntil(() => liveMarked(runId).length === 0, 10_000, 'the refused run to end');
      return;
    }
    const run: RunHandle = outcome.run;
    const { pid, identity } = run.info();
    expect(pid).not.toBeNull();
    expect
      .soft(record?.snapshot.value, 'state of the record when spawn() resolved')
      .not.toBe('spawning');
    expect.soft(record?.snapshot.context.pid, 'pid in the record').toBe(pid);
    expect.soft(record?.snapshot.context.identity, 'identity in the record').toEqual(identity);

    // The store is back: the run is healthy and ends as asked.
    await waitUntil(() => sup.storeHealth.state === 'ok', 20_000, 'the store to catch up');
    expect(await run.cancel()).toMatchObject({ reason: 'cancelled', survivors: [] });
    expect(liveMarked(runId)).toEqual([]);
  } finally {
    readBack = true;
    await sup.shutdown();
    await store.close();
    await sweepHome(home.path, name, ids);
    home.remove();
  }
}, 60_000);
