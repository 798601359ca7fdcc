// The load step of boot reconciliation: every stored run record and quarantine entry of the
// supervisor name is migrated to this code's version before it is validated. Newer ones are
// set aside untouched; unusable ones are quarantined (unless dry-run); nothing else is written.
import { migrateStored } from '../persistence/migrations/migrate-stored.js';
import {
  storedShapes,
  type StoredKind,
  type StoredShape,
} from '../persistence/migrations/stored-kinds.js';
import { validateQuarantineEntry } from '../persistence/quarantine-entry.js';
import type { RecordStore, StoredEntry } from '../persistence/record-store.js';
import { validateRunRecord, type ValidRunRecord } from '../persistence/run-record-schema.js';
import type { Logger } from './logger.js';
import type { NewerRecord } from './reconcile-report.js';

/** What the store holds for this supervisor name, ready for reconciliation. */
export interface LoadedRecords {
  readonly valid: ValidRunRecord[];
  /** Valid records that were stored at an older version: written back once owned. */
  readonly migrated: Set<string>;
  readonly newer: NewerRecord[];
  readonly quarantined: Array<{ runId: string; reason: string }>;
  /** Quarantine entries of an older version, migrated: written back once owned. */
  readonly migratedQuarantine: Array<{ runId: string; value: unknown }>;
}

/** Loads, migrates and validates. With `dryRun` nothing is written. */
export async function loadRecords(
  store: RecordStore,
  logger: Logger,
  dryRun: boolean,
  shapes: Readonly<Record<StoredKind, StoredShape>> = storedShapes,
): Promise<LoadedRecords> {
  const stored = await store.readStored();
  const loaded: LoadedRecords = {
    valid: [],
    migrated: new Set(),
    newer: [],
    quarantined: [],
    migratedQuarantine: [],
  };
  for (const entry of stored.runs) {
    const migrated = migrateStored('run', entry.value, shapes);
    if (migrated.status === 'newer') {
      setAside(loaded, logger, store.runKey(entry.runId), 'run', entry, migrated);
      continue;
    }
    const result =
      migrated.status === 'invalid'
        ? { ok: false as const, reason: migrated.reason }
        : validateRunRecord(migrated.value, entry.runId);
    if (!result.ok) {
      loaded.quarantined.push({ runId: entry.runId, reason: result.reason });
      logger.warn({ runId: entry.runId, reason: result.reason }, 'run record quarantined');
      // The value as stored, not as migrated: the quarantine keeps what was there.
      if (!dryRun) await store.quarantine(entry.runId, entry.value, result.reason);
      continue;
    }
    loaded.valid.push(result.record);
    if (migrated.status === 'current' && migrated.from < shapes.run.current) {
      loaded.migrated.add(entry.runId);
    }
  }
  for (const entry of stored.quarantined) {
    const migrated = migrateStored('quarantine', entry.value, shapes);
    if (migrated.status === 'newer') {
      setAside(loaded, logger, store.quarantineKey(entry.runId), 'quarantine', entry, migrated);
      continue;
    }
    const result =
      migrated.status === 'invalid'
        ? { ok: false as const, reason: migrated.reason }
        : validateQuarantineEntry(migrated.value);
    if (!result.ok) {
      // A quarantine of a quarantine would lose the key's history: it stays as it is.
      logger.warn({ runId: entry.runId, reason: result.reason }, 'quarantine entry left as is');
    } else if (migrated.status === 'current' && migrated.from < shapes.quarantine.current) {
      loaded.migratedQuarantine.push({ runId: entry.runId, value: result.entry });
    }
  }
  return loaded;
}

function setAside(
  loaded: LoadedRecords,
  logger: Logger,
  key: string,
  kind: NewerRecord['kind'],
  entry: StoredEntry,
  migrated: { schemaVersion: number; needs: string },
): void {
  const newer: NewerRecord = {
    key,
    kind,
    runId: entry.runId,
    schemaVersion: migrated.schemaVersion,
    needs: migrated.needs,
  };
  loaded.newer.push(newer);
  logger.warn({ ...newer }, 'record of a newer runwarden left untouched');
}
