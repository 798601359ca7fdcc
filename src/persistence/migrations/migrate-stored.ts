// Brings a decoded stored value up to the version this code reads, before validation.
// Pure: the caller decides whether (and when) a migrated value is written back.
import { RunwardenError } from '../../errors.js';
import type { StoredObject } from './migration-step.js';
import { storedShapes, versionNeeded, type StoredKind, type StoredShape } from './stored-kinds.js';

/** The outcome of migrating one stored value. */
export type Migrated =
  /** At the current version now; `from` is the version it was stored at. */
  | { readonly status: 'current'; readonly value: unknown; readonly from: number }
  /** Refused before validation: `reason` says why (a run record without a version). */
  | { readonly status: 'invalid'; readonly reason: string }
  /** Written by a newer runwarden: left as it is, never validated against this code. */
  | {
      readonly status: 'newer';
      readonly schemaVersion: number;
      /** "a runwarden that reads run records v3". */
      readonly needs: string;
    };

/**
 * Migrates `value` step by step. A value that is not a plain object (an array, a value the
 * store could not decode), or whose version is not a positive integer, is returned untouched
 * for validation to refuse (and quarantine). A value without `schemaVersion` is version 1
 * only for the shapes 0.1.0 wrote so (leases, quarantine entries); a run record without one
 * is invalid. `shapes` is a seam for tests (a step injected into a chain).
 */
export function migrateStored(
  kind: StoredKind,
  value: unknown,
  shapes: Readonly<Record<StoredKind, StoredShape>> = storedShapes,
): Migrated {
  const shape = shapes[kind];
  if (!isPlainObject(value)) return { status: 'current', value, from: shape.current };
  if (value.schemaVersion === undefined && shape.unversioned === null) {
    return { status: 'invalid', reason: `a ${shape.noun.replace(/s$/, '')} without schemaVersion` };
  }
  const version = value.schemaVersion ?? shape.unversioned;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return { status: 'current', value, from: shape.current };
  }
  if (version > shape.current) {
    return { status: 'newer', schemaVersion: version, needs: versionNeeded(shape, version) };
  }
  let migrated: StoredObject = value;
  for (let at = version; at < shape.current; at++) {
    const step = shape.steps.find((candidate) => candidate.from === at);
    // A missing step is a bug of this code, not of the value: fail loudly, in tests first.
    if (step === undefined) {
      throw new RunwardenError('E_MIGRATION_MISSING', `no migration of ${shape.noun} from v${at}`);
    }
    migrated = step.migrate(migrated);
  }
  return { status: 'current', value: migrated, from: version };
}

// What JSON decodes an object to: nothing else may be spread into a migrated value.
function isPlainObject(value: unknown): value is StoredObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
