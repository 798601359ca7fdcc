// The cgroup steps of a run's termination (terminate-run-tree.ts, end-run-tree.ts): asking
// the kernel to kill every member at once, reading what is left, and waiting for the
// kernel's word that nobody is left (`populated 0`). Each takes the run's cgroup or null (a
// run under marker containment), and treats a cgroup already removed as empty.
import { CgroupError } from '../../errors.js';
import type { TreeMember } from '../collect-run-tree.js';
import { processTable } from '../process-table.js';
import { identityFromStat, isDeadState } from '../process-identity.js';
import { hasCgroupFile, writeCgroupFile } from './cgroup-files.js';
import { mountOfDir, readCgroupPathOf } from './own-cgroup.js';
import { cgroupPathOfDir, isWithin } from './mount-info.js';
import { eventsOrGone, listCgroupPids, waitCgroupEmpty } from './wait-cgroup.js';

/**
 * Throws `E_CGROUP_MOVE` when this process stands in `cgroup` (or below it): a supervisor
 * stranded in a leaf (its way back failed) must never end that leaf, which holds itself.
 */
export function assertOutside(cgroup: string): void {
  const own = readCgroupPathOf('self');
  const path = cgroupPathOfDir(mountOfDir(cgroup), cgroup);
  if (own !== null && path !== null && isWithin(path, own))
    throw new CgroupError('E_CGROUP_MOVE', `this process is in ${cgroup}: not ending it`, cgroup);
}

/**
 * Writes `cgroup.kill` (every member and every cgroup below it is SIGKILLed by the kernel;
 * new forks cannot outrun it). True when the cgroup held processes. Without cgroup.kill
 * (Linux < 5.14) it does nothing: every member found is SIGKILLed by its verified identity.
 */
export function requestCgroupKill(cgroup: string | null | undefined): boolean {
  if (cgroup == null || !populated(cgroup) || !hasCgroupFile(cgroup, 'cgroup.kill')) return false;
  try {
    assertOutside(cgroup);
    writeCgroupFile(cgroup, 'cgroup.kill', '1');
    return true;
  } catch (error) {
    if (error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND') return false;
    throw error;
  }
}

/** The live processes still in the cgroup (none once `populated 0`), with their identities. */
export function cgroupLeft(cgroup: string | null | undefined): TreeMember[] {
  if (cgroup == null || !populated(cgroup)) return [];
  const left: TreeMember[] = [];
  for (const pid of listCgroupPids(cgroup)) {
    // The table every identity is read from (its start times are what signals verify).
    const stat = processTable().stat(pid);
    if (stat === undefined || isDeadState(stat.state) || pid === process.pid) continue;
    left.push({ identity: identityFromStat(stat), comm: stat.comm, via: ['cgroup'] });
  }
  return left;
}

/**
 * After a termination found nobody alive: the kernel's proof. A cgroup still populated (a
 * member no scan could read, a zombie leader with live threads) is killed again and waited
 * for; the pids still listed after `waitMs` are returned (none: the tree is dead).
 */
export async function confirmCgroupEmpty(
  cgroup: string | null,
  waitMs: number,
  signal: AbortSignal,
): Promise<number[]> {
  if (cgroup === null || !populated(cgroup)) return [];
  requestCgroupKill(cgroup);
  try {
    await waitCgroupEmpty(cgroup, { timeoutMs: waitMs, signal });
    return [];
  } catch (error) {
    if (error instanceof CgroupError && error.code === 'E_CGROUP_TIMEOUT')
      return listCgroupPids(cgroup);
    throw error;
  }
}

function populated(cgroup: string): boolean {
  return eventsOrGone(cgroup)?.populated ?? false;
}
