// For the daemon only (the library never calls it by itself): cgroup v2's "no internal
// processes" rule forbids enabling controllers for the children of a cgroup that holds
// processes (the root cgroup excepted). A daemon started in a delegated cgroup (a systemd
// scope with Delegate=yes) moves itself into a leaf `<own>/runwarden-daemon`; its own cgroup
// then holds no process, and `pids`/`memory` can be enabled for the areas created beside it.
import { mkdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { cgroupErrorFrom, parsePidList, readCgroupFile } from './cgroup-files.js';
import { enableLimitControllers, type ControllerReport } from './cgroup-controllers.js';
import { DAEMON_LEAF } from './cgroup-names.js';
import { dirOfCgroupPath, type CgroupLocation } from './mount-info.js';
import { enterCgroup } from './spawn-in-cgroup.js';
import { locateOwnCgroup } from './own-cgroup.js';

/** What moveToDaemonLeaf did. */
export interface DaemonLeafMove {
  /** The cgroup to open areas in (openArea's `base`): the daemon's cgroup before the move. */
  readonly base: CgroupLocation;
  /** The leaf the daemon is in now: `<base>/runwarden-daemon`. */
  readonly leaf: string;
  /** False when the daemon was in that leaf already. */
  readonly moved: boolean;
  /**
   * Processes still directly in `base` (anything started beside the daemon): while there is
   * one, controllers cannot be enabled below `base` unless it is the root cgroup.
   */
  readonly stillInBase: readonly number[];
  /** Enabling `pids`/`memory` in the base's cgroup.subtree_control. */
  readonly controllers: ControllerReport;
}

/** Moves the current process into `<own>/runwarden-daemon` and enables limit controllers. */
export function moveToDaemonLeaf(own: CgroupLocation = locateOwnCgroup()): DaemonLeafMove {
  // Called again (or by a daemon restarted in place): the leaf's parent is the base.
  const already = posix.basename(own.path) === DAEMON_LEAF;
  const basePath = already ? posix.dirname(own.path) : own.path;
  const base: CgroupLocation = {
    mount: own.mount,
    path: basePath,
    dir: dirOfCgroupPath(own.mount, basePath),
  };
  const leaf = join(base.dir, DAEMON_LEAF);
  if (!already) {
    try {
      mkdirSync(leaf);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw cgroupErrorFrom(error, 'create the cgroup', leaf);
      }
    }
    enterCgroup(leaf, own);
  }
  const stillInBase = parsePidList(readCgroupFile(base.dir, 'cgroup.procs'));
  return {
    base,
    leaf,
    moved: !already,
    stillInBase,
    controllers: enableLimitControllers(base.dir),
  };
}
