// Starts a run's process inside the cgroup of its generation, born there: the supervisor
// steps into the new leaf, forks (inside the synchronous spawn call), and steps back. The
// leaf counts only once the process is read to be in it; a leaf left empty is removed.
import { mkdirSync } from 'node:fs';
import { CgroupError } from '../errors.js';
import { createRunLeaf } from '../os/cgroup/cgroup-area.js';
import type { Containment } from '../os/cgroup/containment.js';
import { removeCgroup } from '../os/cgroup/remove-cgroup.js';
import { readCgroupPathOf } from '../os/cgroup/own-cgroup.js';
import { cgroupPathOfDir } from '../os/cgroup/mount-info.js';
import { spawnInCgroup } from '../os/cgroup/spawn-in-cgroup.js';
import type { ProcessHandle } from '../os/process-handle.js';
import type { Logger } from '../support/logger.js';

/** A started process and the cgroup it was verified to be born in (null: none). */
export interface Launched {
  readonly handle: ProcessHandle;
  readonly cgroup: string | null;
}

type CgroupContainment = Extract<Containment, { mode: 'cgroup' }>;

/** Launches with `start` (which forks synchronously) inside the leaf of `runId`'s generation. */
export async function launchInCgroup(
  containment: CgroupContainment,
  target: { readonly runId: string; readonly generation: number },
  start: () => Promise<ProcessHandle>,
  logger: Logger,
): Promise<Launched> {
  const leaf = createLeaf(containment.area, target.runId, target.generation);
  let handle: ProcessHandle;
  try {
    handle = await spawnInCgroup(leaf, start, { home: containment.home });
  } catch (error) {
    removeEmptyLeaf(leaf, logger);
    throw error;
  }
  const expected = cgroupPathOfDir(containment.home.mount, leaf);
  if (expected !== null && readCgroupPathOf(handle.pid) === expected)
    return { handle, cgroup: leaf };
  // Exited already (a fast command), or not where it should be: its leaf proves nothing,
  // and the marker holds the run.
  logger.warn({ runId: target.runId, pid: handle.pid, leaf }, 'a run was not found in its cgroup');
  return { handle, cgroup: populatedLeaf(leaf) ? leaf : null };
}

// The area is made again if something removed it (by hand, say): launches go on.
function createLeaf(area: string, runId: string, generation: number): string {
  try {
    return createRunLeaf(area, runId, generation);
  } catch (error) {
    if (!(error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND')) throw error;
    mkdirSync(area);
    return createRunLeaf(area, runId, generation);
  }
}

function populatedLeaf(leaf: string): boolean {
  try {
    removeCgroup(leaf);
    return false;
  } catch {
    return true;
  }
}

function removeEmptyLeaf(leaf: string, logger: Logger): void {
  try {
    removeCgroup(leaf);
  } catch (error) {
    logger.warn({ err: error, leaf }, 'could not remove the cgroup of a run that did not start');
  }
}
