// Pure parsers for the two /proc files that locate a process's cgroup v2 directory:
// /proc/<pid>/mountinfo (where the cgroup2 hierarchy is mounted; never assume
// /sys/fs/cgroup: hybrid systems mount it at /sys/fs/cgroup/unified) and /proc/<pid>/cgroup
// (the `0::` line is the process's v2 cgroup, relative to the hierarchy's root).
import { posix } from 'node:path';

/** One cgroup2 mount: `mountPoint` shows the hierarchy's directory `root`. */
export interface Cgroup2Mount {
  /** Where it is mounted, e.g. `/sys/fs/cgroup` or `/sys/fs/cgroup/unified`. */
  readonly mountPoint: string;
  /** The directory of the hierarchy it shows: `/` unless a sub-tree was bind-mounted. */
  readonly root: string;
}

/** A cgroup, both as the kernel names it (`path`) and as a directory to open (`dir`). */
export interface CgroupLocation {
  readonly mount: Cgroup2Mount;
  /** Path inside the hierarchy, as /proc/<pid>/cgroup shows it (`/` is the root cgroup). */
  readonly path: string;
  /** Absolute directory of that cgroup. */
  readonly dir: string;
}

// mountinfo escapes space, tab, newline and backslash as three octal digits (`\040`).
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

/**
 * Every cgroup2 mount in a mountinfo text, in order. A line is
 * `id parent major:minor root mountpoint options [optional...] - fstype source superoptions`;
 * the optional fields vary in number, so the file system type is the field after `-`.
 */
export function parseCgroup2Mounts(mountinfo: string): Cgroup2Mount[] {
  const mounts: Cgroup2Mount[] = [];
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    const root = fields[3];
    const mountPoint = fields[4];
    if (dash < 0 || root === undefined || mountPoint === undefined) continue;
    if (fields[dash + 1] !== 'cgroup2') continue;
    mounts.push({ mountPoint: unescapeMountField(mountPoint), root: unescapeMountField(root) });
  }
  return mounts;
}

/**
 * The `0::` path of a /proc/<pid>/cgroup text: the process's cgroup v2 path. Null when there
 * is none (no v2 hierarchy), or when it is not an absolute path of the hierarchy (a cgroup
 * outside this cgroup namespace shows as `/..`).
 */
export function parseOwnCgroupPath(procCgroup: string): string | null {
  for (const line of procCgroup.split('\n')) {
    if (!line.startsWith('0::')) continue;
    const path = line.slice(3);
    if (!path.startsWith('/') || path.split('/').includes('..')) return null;
    return path;
  }
  return null;
}

/** True when `path` is `base` or below it. */
export function isWithin(base: string, path: string): boolean {
  return base === '/' || path === base || path.startsWith(`${base}/`);
}

/**
 * The mount through which the cgroup `path` can be opened: the one whose root holds it,
 * the deepest such root first (a bind mount of a sub-tree), else the first listed. Null
 * when no mount shows it.
 */
export function mountShowing(mounts: readonly Cgroup2Mount[], path: string): Cgroup2Mount | null {
  let best: Cgroup2Mount | null = null;
  for (const mount of mounts) {
    if (!isWithin(mount.root, path)) continue;
    if (best === null || mount.root.length > best.root.length) best = mount;
  }
  return best;
}

/** The directory of the cgroup `path` through `mount`. */
export function dirOfCgroupPath(mount: Cgroup2Mount, path: string): string {
  const below = mount.root === '/' ? path : path.slice(mount.root.length);
  return posix.join(mount.mountPoint, below);
}

/** `dir` normalized, without a trailing slash (`/a/b/` -> `/a/b`; `/` stays). */
function normalDir(dir: string): string {
  return posix.normalize(dir).replace(/(.)\/+$/, '$1');
}

/** The cgroup path of the directory `dir` of `mount`, or null when `dir` is not in it. */
export function cgroupPathOfDir(mount: Cgroup2Mount, dir: string): string | null {
  const normal = normalDir(dir);
  if (!isWithin(mount.mountPoint, normal)) return null;
  const below = normal.slice(mount.mountPoint.length);
  return normalDir(posix.join(mount.root, below));
}

/** The mount whose mount point holds the directory `dir` (the deepest one). */
export function mountHolding(mounts: readonly Cgroup2Mount[], dir: string): Cgroup2Mount | null {
  let best: Cgroup2Mount | null = null;
  for (const mount of mounts) {
    if (!isWithin(mount.mountPoint, normalDir(dir))) continue;
    if (best === null || mount.mountPoint.length > best.mountPoint.length) best = mount;
  }
  return best;
}
