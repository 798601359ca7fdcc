// Reading and writing a cgroup's interface files. Every call is synchronous on purpose: the
// placement in spawn-in-cgroup.ts must have no await between its moves. Errors become
// CgroupError with a code a caller can act on; none is swallowed (EACCES least of all).
import {
  closeSync,
  constants,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { CgroupError } from '../../errors.js';

/** What to do about a permission error, in one line. */
export const DELEGATION_ADVICE =
  'run as root, or start runwarden in a delegated cgroup: `systemd-run --user --scope -p Delegate=yes runwarden daemon`';

/** A CgroupError for a failed fs call on `path` (`action`: "write", "create", ...). */
export function cgroupErrorFrom(error: unknown, action: string, path: string): CgroupError {
  const errno = (error as NodeJS.ErrnoException).code ?? 'E?';
  const what = `cannot ${action} ${path} (${errno})`;
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new CgroupError('E_CGROUP_ACCESS', `${what}: ${DELEGATION_ADVICE}`, path, {
        cause: error,
      });
    case 'ENOENT':
      return new CgroupError('E_CGROUP_NOT_FOUND', `${what}: it does not exist`, path, {
        cause: error,
      });
    case 'EBUSY':
      // rmdir: processes or child cgroups inside; cgroup.procs: the target has controllers
      // enabled for its children; cgroup.subtree_control: the cgroup holds processes itself.
      return new CgroupError(
        'E_CGROUP_BUSY',
        `${what}: the cgroup is in use (processes or child cgroups inside, or cgroup v2's rule that a cgroup with controllers enabled for its children holds no process)`,
        path,
        { cause: error },
      );
    default:
      return new CgroupError('E_CGROUP_IO', what, path, { cause: error });
  }
}

/** True when the error is ENOENT. */
export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The error for an interface file that is missing: `E_CGROUP_NOT_FOUND` when the cgroup
 * itself is gone, else `E_CGROUP_UNSUPPORTED` (this kernel or this cgroup lacks the file).
 */
function missingFileError(dir: string, name: string, why: string, cause: unknown): CgroupError {
  if (!existsSync(dir)) {
    return new CgroupError('E_CGROUP_NOT_FOUND', `the cgroup ${dir} does not exist`, dir, {
      cause,
    });
  }
  return new CgroupError('E_CGROUP_UNSUPPORTED', `${join(dir, name)} does not exist: ${why}`, dir, {
    cause,
  });
}

/**
 * Writes `data` to the interface file `name` of `dir` in one write(2), without O_CREAT or
 * O_TRUNC (cgroupfs files exist or do not; creating one is never what we mean).
 */
export function writeCgroupFile(dir: string, name: string, data: string, why = ''): void {
  const path = join(dir, name);
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY);
  } catch (error) {
    if (isMissing(error)) throw missingFileError(dir, name, why || 'not supported here', error);
    throw cgroupErrorFrom(error, 'open for writing', path);
  }
  try {
    writeSync(fd, data);
  } catch (error) {
    throw cgroupErrorFrom(error, `write ${JSON.stringify(data)} to`, path);
  } finally {
    closeSync(fd);
  }
}

/** The text of the interface file `name` of `dir`; throws a CgroupError when unreadable. */
export function readCgroupFile(dir: string, name: string): string {
  const path = join(dir, name);
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isMissing(error)) throw missingFileError(dir, name, 'not supported here', error);
    throw cgroupErrorFrom(error, 'read', path);
  }
}

/** Like readCgroupFile, but null when the file is absent while the cgroup exists. */
export function readOptionalCgroupFile(dir: string, name: string): string | null {
  try {
    return readCgroupFile(dir, name);
  } catch (error) {
    if (error instanceof CgroupError && error.code === 'E_CGROUP_UNSUPPORTED') return null;
    throw error;
  }
}

/** True when the interface file `name` exists in `dir`. */
export function hasCgroupFile(dir: string, name: string): boolean {
  return existsSync(join(dir, name));
}

/** Parses a flat keyed file (`key value` per line: cgroup.events, cpu.stat, memory.events). */
export function parseFlatKeyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value, extra] = line.trim().split(/\s+/);
    if (key === undefined || key === '' || value === undefined || extra !== undefined) continue;
    const number = Number(value);
    if (Number.isFinite(number)) values.set(key, number);
  }
  return values;
}

/** The two facts of cgroup.events. */
export interface CgroupEvents {
  /** A process is in this cgroup or one below it. */
  readonly populated: boolean;
  /** The cgroup and everything below it is frozen (cgroup.freeze). */
  readonly frozen: boolean;
}

/** Parses cgroup.events. */
export function parseCgroupEvents(text: string): CgroupEvents {
  const values = parseFlatKeyed(text);
  return { populated: values.get('populated') === 1, frozen: values.get('frozen') === 1 };
}

/** Reads cgroup.events of `dir`. */
export function readCgroupEvents(dir: string): CgroupEvents {
  return parseCgroupEvents(readCgroupFile(dir, 'cgroup.events'));
}

/** Parses a list of pids, one a line (cgroup.procs). */
export function parsePidList(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map(Number)
    .filter((pid) => Number.isSafeInteger(pid) && pid > 0);
}

/** Parses a space-separated controller list (cgroup.controllers, cgroup.subtree_control). */
export function parseControllerList(text: string): string[] {
  return text.split(/\s+/).filter((name) => name !== '');
}

/** The names of the child cgroups of `dir` (its subdirectories). */
export function childCgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch (error) {
    throw cgroupErrorFrom(error, 'list', dir);
  }
}
