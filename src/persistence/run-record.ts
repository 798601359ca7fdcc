// The record stored per run: the run machine's persisted snapshot, versioned.
import { thisHostname } from '../os/this-host.js';
import { currentBootId } from '../os/process-identity.js';

/**
 * Bumped whenever the stored shape changes, with a step in migrations/run-record-steps.ts:
 * older records are migrated, newer ones left untouched and reported.
 */
export const RUN_RECORD_SCHEMA_VERSION = 2;

/** One run's durable record. */
export interface RunRecord {
  /** The lowest version that describes it (see `recordVersionOf`). */
  readonly schemaVersion: 1 | typeof RUN_RECORD_SCHEMA_VERSION;
  readonly supervisor: string;
  readonly runId: string;
  /** Host and boot the record was written on: pids mean nothing elsewhere. */
  readonly hostname: string;
  readonly bootId: string;
  readonly final: boolean;
  readonly updatedAt: number;
  /** `actor.getPersistedSnapshot()` of the run machine. */
  readonly snapshot: unknown;
}

/** Wraps a persisted snapshot into a record. */
export function createRunRecord(
  supervisor: string,
  runId: string,
  snapshot: unknown,
  final: boolean,
  now: number,
): RunRecord {
  return {
    schemaVersion: recordVersionOf(snapshot),
    supervisor,
    runId,
    hostname: thisHostname(),
    bootId: currentBootId(),
    final,
    updatedAt: now,
    snapshot,
  };
}

/**
 * The lowest record version that describes `snapshot`, so that a downgrade keeps what it
 * can: a run without a restart policy, in its first generation and not in `backoff`, is
 * all version 1 holds (0.1.0 reads it and ignores the fields it does not know), if it
 * belongs to no group; anything
 * else needs version 2. Readers of version 2 migrate a version 1 record, which keeps every
 * field it carries.
 */
export function recordVersionOf(snapshot: unknown): 1 | typeof RUN_RECORD_SCHEMA_VERSION {
  const { value, context } = (snapshot ?? {}) as {
    value?: unknown;
    context?: { generation?: unknown; descriptor?: { restart?: unknown; group?: unknown } };
  };
  const plain =
    value !== 'backoff' &&
    value !== 'held' &&
    (context?.generation ?? 1) === 1 &&
    (context?.descriptor?.restart ?? 'never') === 'never' &&
    (context?.descriptor?.group ?? null) === null;
  return plain ? 1 : RUN_RECORD_SCHEMA_VERSION;
}
