// Migrated records are written back only once owned: a live run only inside its adoption,
// after a successful restore. A record that cannot be restored stays quarantined (its key
// deleted, never written again); a final record retention deletes is not written back.
// A fake run record step (this version -> the next) is injected into the migration chain (the `shapes` seam).
import { afterEach, expect, test } from 'vitest';
import { reconcileOnBoot, type BootHost } from '../../src/reconcile/reconcile-on-boot.js';
import { silentLogger } from '../../src/support/logger.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { terminateRunTree } from '../../src/os/terminate-run-tree.js';
import { storedShapes } from '../../src/persistence/migrations/stored-kinds.js';
import { withRecords } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';

const create = useSupervisors();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// The chain of a future runwarden that reads this code's run records as one version older.
const current = storedShapes.run.current;
const shapes = {
  ...storedShapes,
  run: {
    ...storedShapes.run,
    current: current + 1,
    writtenAt: () => current + 1,
    steps: [
      ...storedShapes.run.steps,
      { from: current, change: 'a test step', migrate: (value: object) => ({ ...value }) },
    ],
  },
};

test('only adopted live runs are written back; an unrestorable one stays quarantined', async () => {
  const temp = createTempHome();
  cleanups.push(temp.remove);
  const first = await create({ home: temp.path });
  const spec = { mode: 'child' as const, command: 'sleep', args: ['30'] };
  const adopted = await first.spawn(spec);
  const refused = await first.spawn(spec);
  for (const id of [adopted.id, refused.id]) {
    cleanups.push(() =>
      terminateRunTree({
        query: { marker: `${RUN_MARKER}=${id}`, root: null },
        graceMs: 200,
        softSignals: ['SIGTERM'],
      }),
    );
  }
  const finished = await first.spawn({ mode: 'child', command: 'true' });
  await finished.exited;
  await first.shutdown({ runs: 'leave' });

  const rewritten: string[] = [];
  const report = await withRecords(temp.path, (store) => {
    const host: BootHost = {
      store,
      logger: silentLogger,
      now: () => Date.now(),
      defaultPolicy: 'reattach',
      // Retention deletes every final record.
      retention: { maxFinishedRecords: 0, maxAgeMs: 60_000 },
      shapes,
      adoptOrphan: (record) =>
        record.runId === refused.id
          ? Promise.reject(new Error('a snapshot XState refuses'))
          : Promise.resolve({ decision: 'reattach' as const, restarting: false }),
      findHosted: () => Promise.resolve(null),
      releaseUnbridged: () => Promise.resolve(),
      removeRunFiles: () => undefined,
      retainFinished: () => undefined,
      rewriteAdopted: (runId) => {
        rewritten.push(runId);
        return Promise.resolve();
      },
    };
    return reconcileOnBoot(host, false);
  });
  expect(report.quarantined).toEqual([
    { runId: refused.id, reason: 'could not be restored: a snapshot XState refuses' },
  ]);
  expect(report.expired).toBe(1);
  expect(rewritten).toEqual([adopted.id]);
  await withRecords(temp.path, async (store) => {
    expect(await store.get(store.runKey(refused.id))).toBeUndefined();
    expect(await store.get(store.quarantineKey(refused.id))).toMatchObject({
      reason: 'could not be restored: a snapshot XState refuses',
    });
    expect(await store.get(store.runKey(finished.id))).toBeUndefined();
    expect(await store.get(store.runKey(adopted.id))).toMatchObject({ runId: adopted.id });
  });
});
