// The two cgroup steps of a run's termination (terminate-run-tree.ts): asking the kernel to
// kill every member at once, and reading what is left. Both take the run's cgroup or null
// (a run under marker containment), and treat a cgroup already removed as empty.
import { CgroupError } from '../../errors.js';
import type { TreeMember } from '../collect-run-tree.js';
import { processTable } from '../process-table.js';
import { identityFromStat, isDeadState } from '../process-identity.js';
import { hasCgroupFile, readCgroupEvents, writeCgroupFile } from './cgroup-files.js';
import { listCgroupPids } from './wait-cgroup.js';

/**
 * Writes `cgroup.kill` (every member and every cgroup below it is SIGKILLed by the kernel;
 * new forks cannot outrun it). True when the cgroup held processes. Without cgroup.kill
 * (Linux < 5.14) it does nothing: every member found is SIGKILLed by its verified identity.
 */
export function requestCgroupKill(cgroup: string | null | undefined): boolean {
  if (cgroup == null || !populated(cgroup) || !hasCgroupFile(cgroup, 'cgroup.kill')) return false;
  try {
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

function populated(cgroup: string): boolean {
  try {
    return readCgroupEvents(cgroup).populated;
  } catch (error) {
    if (error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND') return false;
    throw error;
  }
}
