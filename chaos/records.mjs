// Reads a cycle's run records straight from its SQLite store (a second connection beside
// the daemon's: WAL lets readers in), validated as a booting supervisor would.
import { openStore } from '../dist/persistence/open-store.js';
import { RecordStore } from '../dist/persistence/record-store.js';
import { migrateStored } from '../dist/persistence/migrations/migrate-stored.js';
import { validateRunRecord } from '../dist/persistence/run-record-schema.js';

/**
 * Every record of supervisor `default` in `home` (older versions migrated, as a boot reads
 * them): `runs`, a map from run id to `{ final, state, generation, group, reason }` or
 * `{ invalid }`, and `groups`, the paths of its group records.
 */
export async function readRecords(home) {
  const opened = await openStore(undefined, home);
  try {
    const store = new RecordStore(opened.keyv, 'default', () => Date.now());
    const records = new Map();
    const stored = await store.readStored();
    for (const entry of stored.runs) {
      const migrated = migrateStored('run', entry.value);
      if (migrated.status !== 'current') {
        records.set(entry.runId, { invalid: `${migrated.status}: ${JSON.stringify(migrated)}` });
        continue;
      }
      const result = validateRunRecord(migrated.value, entry.runId);
      if (!result.ok) {
        records.set(entry.runId, { invalid: result.reason });
        continue;
      }
      const { record } = result;
      const final = record.final || record.snapshot.status === 'done';
      const exit = record.snapshot.context.exit;
      records.set(entry.runId, {
        final,
        state: record.snapshot.value,
        generation: record.snapshot.context.generation,
        group: record.snapshot.context.descriptor.group ?? null,
        reason: exit !== null && typeof exit === 'object' ? (exit.reason ?? null) : null,
      });
    }
    return { runs: records, groups: stored.groups.map((entry) => entry.runId) };
  } finally {
    await opened.close();
  }
}
