// Removing cgroups once they are empty. rmdir is the only way (their files cannot be
// deleted), children first; the kernel refuses (EBUSY) while a process is inside, which is
// reported with the pids, never forced: ending processes is killCgroup's job, not this.
import { rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { CgroupError } from '../../errors.js';
import { cgroupErrorFrom, childCgroups, readCgroupEvents } from './cgroup-files.js';
import { listCgroupPids } from './wait-cgroup.js';

/**
 * Removes the cgroup `dir` and every cgroup below it, deepest first. A cgroup already gone
 * is fine. A populated one throws `E_CGROUP_BUSY` naming the processes still in it.
 */
export function removeCgroup(dir: string): void {
  let children: string[];
  try {
    children = childCgroups(dir);
  } catch (error) {
    if (error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND') return;
    throw error;
  }
  for (const child of children) removeCgroup(join(dir, child));
  try {
    rmdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    if (code === 'EBUSY') {
      const pids = listCgroupPids(dir);
      throw new CgroupError(
        'E_CGROUP_BUSY',
        `cannot remove the cgroup ${dir}: processes are still in it (${pids.join(', ') || 'exiting'})`,
        dir,
        { cause: error, pids },
      );
    }
    throw cgroupErrorFrom(error, 'remove the cgroup', dir);
  }
}

/** What sweepArea did. */
export interface SweepResult {
  /** Leaves removed (they were empty and not kept). */
  readonly removed: readonly string[];
  /** Leaves not kept that still hold processes: left alone, for the caller to decide. */
  readonly populated: readonly string[];
  /** True when the area itself was removed (asked for, and it was left empty). */
  readonly areaRemoved: boolean;
}

/**
 * Removes the empty leaves of the area `areaDir` whose names are not in `keep`, and returns
 * the populated ones not kept. Nothing is signalled here. With `removeArea`, the area goes
 * too when nothing is left in it. An area that does not exist sweeps to nothing.
 */
export function sweepArea(
  areaDir: string,
  keep: ReadonlySet<string>,
  options: { removeArea?: boolean } = {},
): SweepResult {
  let names: string[];
  try {
    names = childCgroups(areaDir);
  } catch (error) {
    if (error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND') {
      return { removed: [], populated: [], areaRemoved: false };
    }
    throw error;
  }
  const removed: string[] = [];
  const populated: string[] = [];
  for (const name of names.filter((n) => !keep.has(n)).sort()) {
    const leaf = join(areaDir, name);
    try {
      if (readCgroupEvents(leaf).populated) {
        populated.push(leaf);
        continue;
      }
      removeCgroup(leaf);
      removed.push(leaf);
    } catch (error) {
      if (!(error instanceof CgroupError)) throw error;
      // A process moved in between the read and the rmdir: it is populated after all.
      if (error.code === 'E_CGROUP_BUSY') populated.push(leaf);
      else if (error.code !== 'E_CGROUP_NOT_FOUND') throw error;
    }
  }
  // Only an area with no leaf left goes: a kept leaf, even an empty one, is never removed.
  const areaRemoved = options.removeArea === true && removeIfChildless(areaDir);
  return { removed, populated, areaRemoved };
}

/** Removes `dir` (not recursively) when it has no child cgroup; false when it stays. */
function removeIfChildless(dir: string): boolean {
  if (childCgroups(dir).length > 0) return false;
  try {
    rmdirSync(dir);
    return true;
  } catch (error) {
    // A leaf created meanwhile keeps the area: not an error of the sweep.
    if ((error as NodeJS.ErrnoException).code === 'EBUSY') return false;
    throw cgroupErrorFrom(error, 'remove the cgroup', dir);
  }
}
