// The record stored per run: the run machine's persisted snapshot, versioned.
import { thisHostname } from '../os/this-host.js';
import { currentBootId } from '../os/process-identity.js';

/**
 * Bumped whenever the stored shape changes, with a step in migrations/run-record-steps.ts:
 * older records are migrated, newer ones left untouched and reported.
 */
export const RUN_RECORD_SCHEMA_VERSION = 1;

/** One run's durable record. */
export interface RunRecord {
  readonly schemaVersion: typeof RUN_RECORD_SCHEMA_VERSION;
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
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    supervisor,
    runId,
    hostname: thisHostname(),
    bootId: currentBootId(),
    final,
    updatedAt: now,
    snapshot,
  };
}
