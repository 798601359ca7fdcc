// Placing a new process in its cgroup before it runs any of its own code. Membership is
// inherited at fork, and Node's child_process.spawn and node-pty's spawn fork inside the
// call: so the current process steps into the leaf, spawns, and steps back. The child is
// born in the leaf; nothing it does (fork, setsid, env -i, double fork) can be outside it.
// All synchronous: no await between the moves, so no other code of this process runs while
// it stands in the leaf. (A worker thread spawning at that moment would land in the leaf:
// runwarden spawns from the main thread only.) A launcher (`sh -c 'echo $$ > ...; exec'`)
// would cost a shell per run; clone3(CLONE_INTO_CGROUP) would need native code.
import { CgroupError } from '../../errors.js';
import { writeCgroupFile } from './cgroup-files.js';
import { cgroupPathOfDir, type CgroupLocation } from './mount-info.js';
import { locateOwnCgroup, readCgroupPathOf } from './own-cgroup.js';

export interface PlacementOptions {
  /**
   * The cgroup to return to, located once when the caller opened (locateOwnCgroup()).
   * Default: located now. The current process must be in it when the call starts.
   */
  readonly home?: CgroupLocation;
}

// "0" names the writer itself; the kernel moves the whole process (every thread).
const SELF = '0';

/** Throws `E_CGROUP_MOVE` unless the current process is in the cgroup `path` of `dir`. */
function verifyIn(path: string, dir: string, when: string): void {
  const actual = readCgroupPathOf('self');
  if (actual !== path) {
    throw new CgroupError(
      'E_CGROUP_MOVE',
      `${when}: this process is in cgroup ${String(actual)}, expected ${path} (${dir})`,
      dir,
    );
  }
}

/**
 * Runs the synchronous `spawnFn` with the current process inside the cgroup `leafDir`, so
 * whatever it forks is born there, then moves the current process back into `home` and
 * verifies it arrived (even when `spawnFn` throws). If the way back fails, the process is
 * stranded in the leaf: that throws `E_CGROUP_MOVE` (its cause, when spawnFn failed too,
 * is spawnFn's error); the caller must not kill the leaf then, since it holds the caller.
 */
export function spawnInCgroup<T>(
  leafDir: string,
  spawnFn: () => T,
  options: PlacementOptions = {},
): T {
  const home = options.home ?? locateOwnCgroup();
  verifyIn(home.path, home.dir, 'before placing a child');
  writeCgroupFile(leafDir, 'cgroup.procs', SELF);
  let failure: { error: unknown } | null = null;
  try {
    return spawnFn();
  } catch (error) {
    failure = { error };
    throw error;
  } finally {
    returnHome(home, leafDir, failure);
  }
}

/** Moves the current process back to `home`, verified; throws `E_CGROUP_MOVE` otherwise. */
function returnHome(
  home: CgroupLocation,
  leafDir: string,
  failure: { error: unknown } | null,
): void {
  try {
    writeCgroupFile(home.dir, 'cgroup.procs', SELF);
    verifyIn(home.path, home.dir, 'after placing a child');
  } catch (error) {
    throw new CgroupError(
      'E_CGROUP_MOVE',
      `this process could not return from ${leafDir} to its cgroup ${home.dir}: ${(error as Error).message}`,
      leafDir,
      { cause: failure === null ? error : failure.error },
    );
  }
}

/** What enterCgroup did. */
export interface EnterResult {
  /** The cgroup path the process left. */
  readonly from: string;
  /** The cgroup path it is in now (verified). */
  readonly to: string;
}

/**
 * Moves the current process itself into the cgroup `dir` for good (a run host placing
 * itself before it starts its run), and verifies it arrived.
 */
export function enterCgroup(
  dir: string,
  location: CgroupLocation = locateOwnCgroup(),
): EnterResult {
  const to = cgroupPathOfDir(location.mount, dir);
  if (to === null) {
    throw new CgroupError(
      'E_CGROUP_NOT_FOUND',
      `${dir} is not under ${location.mount.mountPoint}`,
      dir,
    );
  }
  writeCgroupFile(dir, 'cgroup.procs', SELF);
  verifyIn(to, dir, 'after entering a cgroup');
  return { from: location.path, to };
}
