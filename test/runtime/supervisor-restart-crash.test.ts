// A supervisor SIGKILLed while its run waits in `backoff`: the next boot starts the run at
// its recorded time (not earlier), once (not twice). A real supervisor in its own process,
// real processes, the real SQLite store.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { createSupervisor } from '../../src/index.js';
import { assertFreshBuild, killHost, startCrashHost } from '../support/crash-host.js';
import { withRecords } from '../support/record-editor.js';
import { createTempHome } from '../support/temp-home.js';

beforeAll(() => {
  assertFreshBuild();
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('a run waiting to restart when its supervisor died starts at its time, once', async () => {
  const home = createTempHome('runwarden-restart-crash-');
  cleanups.push(home.remove);
  const host = startCrashHost(home.path, 'backoff');
  cleanups.push(() => killHost(host.child));
  const { runId = '', nextStartAt = 0 } = await host.reached;
  await killHost(host.child);
  const starts = () => readFileSync(join(home.path, 'starts'), 'utf8').split('\n').filter(Boolean);
  expect(starts()).toHaveLength(1);
  const recorded = await withRecords(home.path, (store) => store.get(store.runKey(runId)));
  expect(recorded).toMatchObject({ final: false, snapshot: { value: 'backoff' } });

  const sup = await createSupervisor({ home: home.path });
  cleanups.push(() => sup.shutdown());
  expect(sup.lastReconcile?.restarting).toEqual([runId]);
  expect(sup.lastReconcile?.lost).toEqual([]);
  expect(sup.get(runId)).toMatchObject({ nextStartAt, generation: 1, restarts: 0 });
  const run = sup.handle(runId);
  if (run === undefined) throw new Error('the restarting run is not supervised');

  // Its second generation fails too, and spends the intensity (one restart).
  const exit = await run.exited;
  expect(exit).toMatchObject({ reason: 'restart-limit', exitCode: 1, restarts: 1 });
  const times = starts().map(Number);
  expect(times).toHaveLength(2); // not twice
  expect(times[1]).toBeGreaterThanOrEqual(nextStartAt); // not earlier
});
