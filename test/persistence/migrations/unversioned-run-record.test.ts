// A run record stored without schemaVersion is not guessed to be 0.1.0's: it is quarantined
// at boot with a reason that says so, its key deleted, the value kept as it was stored.
import { expect, test } from 'vitest';
import { withRecords } from '../../support/record-editor.js';
import { useSupervisors } from '../../support/supervisor-harness.js';
import { createTempHome } from '../../support/temp-home.js';

const create = useSupervisors();

test('a run record without schemaVersion is quarantined with a clear reason', async () => {
  const temp = createTempHome();
  try {
    const first = await create({ home: temp.path });
    const run = await first.spawn({ mode: 'child', command: 'true' });
    await run.exited;
    await first.shutdown();
    let stored: Record<string, unknown> = {};
    await withRecords(temp.path, async (store) => {
      const rest = { ...((await store.get(store.runKey(run.id))) as Record<string, unknown>) };
      delete rest.schemaVersion;
      stored = rest;
      await store.set(store.runKey(run.id), rest, 'drop the version');
    });
    const second = await create({ home: temp.path });
    expect(second.lastReconcile?.quarantined).toEqual([
      { runId: run.id, reason: 'a run record without schemaVersion' },
    ]);
    await withRecords(temp.path, async (store) => {
      expect(await store.get(store.runKey(run.id))).toBeUndefined();
      expect(await store.get(store.quarantineKey(run.id))).toMatchObject({
        reason: 'a run record without schemaVersion',
        value: stored,
      });
    });
    await second.shutdown();
  } finally {
    temp.remove();
  }
});
