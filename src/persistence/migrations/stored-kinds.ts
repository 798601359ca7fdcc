// Every shape stored under a supervisor's name, with the version this code writes and the
// steps that bring an older value up to it.
import { recordVersionOf, RUN_RECORD_SCHEMA_VERSION } from '../run-record.js';
import type { MigrationStep } from './migration-step.js';
import { leaseSteps } from './lease-steps.js';
import { quarantineSteps } from './quarantine-steps.js';
import { runRecordSteps } from './run-record-steps.js';

/** The kinds of stored values: `<name>/run/<id>`, `<name>/quarantine/<id>`, `<name>/lease/<host>`. */
export type StoredKind = 'run' | 'quarantine' | 'lease';

/** One kind's current version and its chain of steps (one per version, in order). */
export interface StoredShape {
  readonly kind: StoredKind;
  /** The version this code writes and validates. */
  readonly current: number;
  /** How a person names this shape: "run records", "owner leases"... */
  readonly noun: string;
  /** The version of a value stored without one (0.1.0 wrote leases and quarantine entries
   * so); `null`: a value without one is invalid (every run record has one). */
  readonly unversioned: number | null;
  readonly steps: readonly MigrationStep[];
  /**
   * The version this code writes a (migrated, valid) value at, if not always `current`: a
   * run record is written at the lowest version that describes it. A value stored at that
   * version already needs no writing back.
   */
  readonly writtenAt?: (value: unknown) => number;
}

/** The version of quarantine entries and owner leases this code writes. */
export const QUARANTINE_SCHEMA_VERSION = 2;
export const LEASE_SCHEMA_VERSION = 2;

export const storedShapes: Readonly<Record<StoredKind, StoredShape>> = {
  run: {
    kind: 'run',
    current: RUN_RECORD_SCHEMA_VERSION,
    noun: 'run records',
    unversioned: null,
    steps: runRecordSteps,
    writtenAt: (value) => recordVersionOf((value as { snapshot?: unknown }).snapshot),
  },
  quarantine: {
    kind: 'quarantine',
    current: QUARANTINE_SCHEMA_VERSION,
    noun: 'quarantine entries',
    unversioned: 1,
    steps: quarantineSteps,
  },
  lease: {
    kind: 'lease',
    current: LEASE_SCHEMA_VERSION,
    noun: 'owner leases',
    unversioned: 1,
    steps: leaseSteps,
  },
};

/** What a runwarden must read to use a value of `version`: "a runwarden that reads run records v3". */
export function versionNeeded(shape: StoredShape, version: number): string {
  return `a runwarden that reads ${shape.noun} v${version}`;
}
