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
import type { Logger } from '../support/logger.js';
import type { NewerRecord } from './reconcile-report.js';
import { validateGroupRecord, type GroupRecord } from '../persistence/group-record.js';

/** What the store holds for this supervisor name, ready for reconciliation. */
export interface LoadedRecords {
  readonly valid: ValidRunRecord[];
  /** Valid records that were stored at an older version: written back once owned. */
  readonly migrated: Set<string>;
  readonly newer: NewerRecord[];
  readonly quarantined: Array<{ runId: string; reason: string }>;
  /** Quarantine entries of an older version, migrated: written back once owned. */
  readonly migratedQuarantine: Array<{ runId: string; value: unknown }>;
  /** Valid group records (an unusable one is moved aside and reported as quarantined). */
  readonly groups: GroupRecord[];
  /** Runs quarantined at an earlier boot (their entries are still in the store). */
  readonly quarantinedEarlier: string[];
}

/** One stored value, migrated then validated. */
type Read<T> =
  | { readonly status: 'newer' }
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'valid'; readonly value: T; readonly migrated: boolean };

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
    groups: [],
    quarantinedEarlier: [],
  };
  const read = <T>(
    kind: StoredKind,
    key: string,
    entry: StoredEntry,
    validate: (value: unknown) => { ok: true; value: T } | { ok: false; reason: string },
  ): Read<T> => {
    const migrated = migrateStored(kind, entry.value, shapes);
    if (migrated.status === 'newer') {
      setAside(loaded, logger, key, kind, entry, migrated);
      return { status: 'newer' };
    }
    if (migrated.status === 'invalid') return { status: 'invalid', reason: migrated.reason };
    const result = validate(migrated.value);
    if (!result.ok) return { status: 'invalid', reason: result.reason };
    const writtenAt = shapes[kind].writtenAt?.(migrated.value) ?? shapes[kind].current;
    return { status: 'valid', value: result.value, migrated: migrated.from < writtenAt };
  };
  for (const entry of stored.runs) {
    const run = read('run', store.runKey(entry.runId), entry, (value) => {
      const result = validateRunRecord(value, entry.runId);
      return result.ok ? { ok: true, value: result.record } : result;
    });
    if (run.status === 'invalid') {
      loaded.quarantined.push({ runId: entry.runId, reason: run.reason });
      logger.warn({ runId: entry.runId, reason: run.reason }, 'run record quarantined');
      // The value as stored, not as migrated: the quarantine keeps what was there.
      if (!dryRun) await store.quarantine(entry.runId, entry.value, run.reason);
    } else if (run.status === 'valid') {
      loaded.valid.push(run.value);
      if (run.migrated) loaded.migrated.add(entry.runId);
    }
  }
  for (const entry of stored.quarantined) {
    loaded.quarantinedEarlier.push(entry.runId);
    const quarantine = read('quarantine', store.quarantineKey(entry.runId), entry, (value) => {
      const result = validateQuarantineEntry(value);
      return result.ok ? { ok: true, value: result.entry } : result;
    });
    if (quarantine.status === 'invalid') {
      // A quarantine of a quarantine would lose the key's history: it stays as it is.
      logger.warn({ runId: entry.runId, reason: quarantine.reason }, 'quarantine entry left as is');
    } else if (quarantine.status === 'valid' && quarantine.migrated) {
      loaded.migratedQuarantine.push({ runId: entry.runId, value: quarantine.value });
    }
  }
  for (const entry of stored.groups) {
    const result = validateGroupRecord(entry.value, entry.runId);
    if (result.ok) {
      loaded.groups.push(result.record);
      continue;
    }
    loaded.quarantined.push({ runId: `group:${entry.runId}`, reason: result.reason });
    logger.warn({ group: entry.runId, reason: result.reason }, 'group record quarantined');
    if (dryRun) continue;
    // Moved aside as it was stored, never overwritten: its runs name the group, and boot
    // rebuilds it with the default options.
    await store.set(
      store.groupQuarantineKey(entry.runId),
      entry.value,
      `quarantine group ${entry.runId}`,
    );
    await store.delete(store.groupKey(entry.runId));
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
