// Writing back migrated quarantine entries never destroys a record: when `run/X` is
// quarantined by this very boot while an old (0.1.0, version-less) `quarantine/X` exists,
// the new entry stays (the old one kept inside it) and is not overwritten by a write-back.
import { expect, test } from 'vitest';
import { withRecords } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';

const create = useSupervisors();

test('a run quarantined at boot keeps its new quarantine entry over an old one of the same id', async () => {
  const temp = createTempHome();
  try {
    const id = 'run-x';
    await withRecords(temp.path, async (store) => {
      await store.set(store.runKey(id), { schemaVersion: 1, runId: id }, 'an invalid record');
      await store.set(
        store.quarantineKey(id),
        { reason: 'an old reason', quarantinedAt: 1, value: 'old' },
        "0.1.0's quarantine entry",
      );
    });
    const sup = await create({ home: temp.path });
    const reason = sup.lastReconcile?.quarantined.find((q) => q.runId === id)?.reason;
    expect(reason).toBeDefined();
    await sup.shutdown();
    await withRecords(temp.path, async (store) => {
      expect(await store.get(store.runKey(id))).toBeUndefined();
      expect(await store.get(store.quarantineKey(id))).toMatchObject({
        schemaVersion: 2,
        reason,
        value: { schemaVersion: 1, runId: id },
        // The old entry is not lost: kept whole inside the new one.
        previous: { reason: 'an old reason', quarantinedAt: 1, value: 'old' },
      });
    });
  } finally {
    temp.remove();
  }
});
