// How many processes of an orphan live: those the marker scan found, and those the kernel
// lists in its generation's cgroup (escapees that cleared their environment among them).
import type { RunContext } from '../machines/run-context.js';
import { cgroupLeft } from '../os/cgroup/end-run-cgroup.js';
import type { MarkedProcess } from '../os/find-marked-processes.js';

export function countLiveMembers(
  marked: readonly MarkedProcess[] | undefined,
  context: RunContext,
): number {
  const pids = new Set((marked ?? []).map((p) => p.identity.pid));
  for (const member of cgroupLeft(context.cgroup)) pids.add(member.identity.pid);
  return pids.size;
}
