// What the cgroup layer learns from /proc (read through proc-fs.ts, with every other /proc
// read): the mount table and a process's `0::` line.
import { CgroupError } from '../../errors.js';
import { readProcText } from '../proc-fs.js';
import {
  dirOfCgroupPath,
  mountHolding,
  mountShowing,
  parseCgroup2Mounts,
  parseOwnCgroupPath,
  type Cgroup2Mount,
  type CgroupLocation,
} from './mount-info.js';

/** The cgroup2 mounts of this process's mount namespace. */
export function readCgroup2Mounts(): Cgroup2Mount[] {
  return parseCgroup2Mounts(readProcText('/proc/self/mountinfo') ?? '');
}

/**
 * The cgroup v2 path of `pid` (`self` by default), or null when it has none or the process
 * is gone. A path outside our cgroup namespace is null too (it cannot be opened).
 */
export function readCgroupPathOf(pid: number | 'self' = 'self'): string | null {
  const text = readProcText(`/proc/${pid}/cgroup`);
  return text === undefined ? null : parseOwnCgroupPath(text);
}

/** Why the own cgroup cannot be located (the probe turns these into advice). */
export type LocateFailure = 'no-cgroup2-mount' | 'no-own-cgroup' | 'own-cgroup-not-visible';

/** The located own cgroup, or why not. Texts may be given (tests); else /proc is read. */
export function findOwnCgroup(
  texts: { mountinfo?: string; procCgroup?: string } = {},
): CgroupLocation | LocateFailure {
  const mounts = parseCgroup2Mounts(texts.mountinfo ?? readProcText('/proc/self/mountinfo') ?? '');
  if (mounts.length === 0) return 'no-cgroup2-mount';
  const path = parseOwnCgroupPath(texts.procCgroup ?? readProcText('/proc/self/cgroup') ?? '');
  if (path === null) return 'no-own-cgroup';
  const mount = mountShowing(mounts, path);
  if (mount === null) return 'own-cgroup-not-visible';
  return { mount, path, dir: dirOfCgroupPath(mount, path) };
}

/** What each locate failure means, in words a person can act on. */
export const LOCATE_FAILURES: Readonly<Record<LocateFailure, string>> = {
  'no-cgroup2-mount':
    'no cgroup v2 hierarchy is mounted (no `cgroup2` entry in /proc/self/mountinfo): mount one (`mount -t cgroup2 none /sys/fs/cgroup/unified`) or boot with systemd.unified_cgroup_hierarchy=1',
  'no-own-cgroup':
    'this process has no cgroup v2 path (no `0::` line in /proc/self/cgroup, or one outside this cgroup namespace)',
  'own-cgroup-not-visible':
    "this process's cgroup v2 is not under any cgroup2 mount of this mount namespace (a container that mounts only part of the hierarchy?)",
};

/** The own cgroup; throws a CgroupError (`E_CGROUP_UNAVAILABLE`) saying why it cannot. */
export function locateOwnCgroup(): CgroupLocation {
  const found = findOwnCgroup();
  if (typeof found === 'string') {
    throw new CgroupError('E_CGROUP_UNAVAILABLE', LOCATE_FAILURES[found], '/proc/self/cgroup');
  }
  return found;
}

/** The cgroup2 mount a directory belongs to; throws when it is under none. */
export function mountOfDir(dir: string): Cgroup2Mount {
  const mount = mountHolding(readCgroup2Mounts(), dir);
  if (mount === null) {
    throw new CgroupError('E_CGROUP_NOT_FOUND', `${dir} is not under any cgroup2 mount`, dir);
  }
  return mount;
}
