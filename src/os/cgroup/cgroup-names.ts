// The names runwarden gives its cgroups. Each is a single path segment checked against one
// pattern (the supervisor name's own), so no name can climb (`..`), nest (`/`), or collide
// with a kernel interface file (those never start with `runwarden` nor end with `.g<n>`).
import { join } from 'node:path';
import { InvalidOptionError } from '../../errors.js';

/** A supervisor's area is `<base>/runwarden.<supervisor name>`. */
export const AREA_PREFIX = 'runwarden.';
/** The leaf a daemon moves itself into, beside its areas (moveToDaemonLeaf). */
export const DAEMON_LEAF = 'runwarden-daemon';
/** The probe's throwaway child: `runwarden-probe.<pid>.<random>`. */
export const PROBE_PREFIX = 'runwarden-probe.';

// Letters, digits, `.`, `_`, `-`, starting with a letter or digit, at most 64 characters:
// the supervisor name's rule (src/options/supervisor-options.ts), and what run ids are.
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const LEAF = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})\.g(0|[1-9][0-9]{0,15})$/;

/** `value` when it is a safe single path segment; else an InvalidOptionError naming `option`. */
export function checkSegment(option: string, value: unknown): string {
  if (typeof value !== 'string' || !SEGMENT.test(value)) {
    throw new InvalidOptionError(
      option,
      value,
      'letters, digits, `.`, `_` or `-`, starting with a letter or digit, at most 64 characters',
    );
  }
  return value;
}

/** The area directory of supervisor `name` below the cgroup directory `base`. */
export function areaDirFor(base: string, name: string): string {
  return join(base, `${AREA_PREFIX}${checkSegment('name', name)}`);
}

/** The leaf name of generation `generation` of run `runId`: `<runId>.g<generation>`. */
export function leafNameFor(runId: string, generation: number): string {
  checkSegment('runId', runId);
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new InvalidOptionError('generation', generation, 'a non-negative integer');
  }
  return `${runId}.g${generation}`;
}

/** The run id and generation a leaf name stands for, or null for any other name. */
export function parseLeafName(name: string): { runId: string; generation: number } | null {
  const match = LEAF.exec(name);
  if (match === null) return null;
  const generation = Number(match[2]);
  if (!Number.isSafeInteger(generation)) return null;
  return { runId: match[1] ?? '', generation };
}
