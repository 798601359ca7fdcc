// Collects every process that belongs to a run BEFORE anything is signalled: descendants
// by parent pid, the process group, the session, every process carrying the marker, and
// every process in the run's cgroup (the kernel's own list: escapees cannot leave it).
import { listCgroupPids } from './cgroup/wait-cgroup.js';
import { thisHostname } from './this-host.js';
import type { EnvironValue, ProcStat } from './proc-fs.js';
import { processTable } from './process-table.js';
import { identityFromStat, isDeadState, type ProcessIdentity } from './process-identity.js';

/** How a process was found to belong to the run. */
export type MembershipReason = 'root' | 'descendant' | 'group' | 'session' | 'marker' | 'cgroup';

/** One process of a run's tree, with the identity to re-check before signalling it. */
export interface TreeMember {
  readonly identity: ProcessIdentity;
  readonly comm: string;
  readonly via: readonly MembershipReason[];
}

/** What a scan of the process table found for one run. */
export interface RunTree {
  readonly members: TreeMember[];
  /** Pids whose environment could not be read (another user's): uncertain, never signalled. */
  readonly unreadable: number[];
  /** Why the run's cgroup could not be listed (its members are then unknown), or null. */
  readonly cgroupError?: string | null;
}

/** What identifies a run's processes. */
export interface RunTreeQuery {
  /** Environment entry every process of the run inherits, e.g. `RUNWARDEN_RUN_ID=abc`. */
  readonly marker: string;
  /** The run's root process, when it was ever recorded. */
  readonly root: ProcessIdentity | null;
  /** The cgroup of the run's generation (cgroup containment), or null. */
  readonly cgroup?: string | null;
}

/** Scans the process table once and returns the run's live members. */
export function collectRunTree(query: RunTreeQuery): RunTree {
  return collectRunTrees([query])[0] ?? { members: [], unreadable: [] };
}

/**
 * Scans the process table once for several runs (a boot ending hundreds of orphans pays
 * for one scan, not hundreds) and returns each run's live members, in query order.
 */
export function collectRunTrees(queries: readonly RunTreeQuery[]): RunTree[] {
  const table = processTable();
  const stats = new Map<number, ProcStat>();
  for (const stat of table.list()) {
    if (stat.pid !== process.pid && !isDeadState(stat.state)) stats.set(stat.pid, stat);
  }
  const candidates = [...stats.values()]
    .filter((stat) => !isKernelThread(stat))
    .map((stat) => stat.pid);
  const markers = new Map<string, Map<number, EnvironValue>>();
  const environ = (key: string): Map<number, EnvironValue> => {
    let values = markers.get(key);
    if (values === undefined) markers.set(key, (values = table.environValues(candidates, key)));
    return values;
  };
  const children = queries.some((query) => query.root !== null) ? childrenOf(stats) : new Map();
  return queries.map((query) => membersOf(query, stats, children, environ));
}

// The members of one run, from one scan.
function membersOf(
  query: RunTreeQuery,
  stats: ReadonlyMap<number, ProcStat>,
  children: ReadonlyMap<number, number[]>,
  environ: (key: string) => ReadonlyMap<number, EnvironValue>,
): RunTree {
  const separator = query.marker.indexOf('=');
  const markerKey = query.marker.slice(0, separator);
  const markerValue = query.marker.slice(separator + 1);
  const reasons = new Map<number, MembershipReason[]>();
  const add = (pid: number, reason: MembershipReason): void => {
    const list = reasons.get(pid);
    if (list === undefined) reasons.set(pid, [reason]);
    else if (!list.includes(reason)) list.push(reason);
  };

  const root = query.root;
  const rootStat = root === null ? undefined : stats.get(root.pid);
  // The root names a process here only if it was read on this host, in this boot: a pid
  // and start time of another host (an uncertain identity) may match a stranger here.
  const rootAlive =
    root !== null &&
    root.hostname === thisHostname() &&
    root.bootId === processTable().bootId() &&
    rootStat?.startTicks === root.startTicks;
  if (rootAlive) {
    add(root.pid, 'root');
    for (const pid of descendantsOf(root.pid, children)) add(pid, 'descendant');
    // Group and session ids name the run only while its verified root leads them: once the
    // root is gone its pid may lead someone else's session, so then only markers count. A
    // root leading just its group (a job-control shell's job) is in another's session.
    const leadsGroup = root.pgid === root.pid;
    const leadsSession = root.sid === root.pid;
    for (const stat of stats.values()) {
      // A process of our group or session cannot predate its leader.
      if (stat.startTicks < root.startTicks) continue;
      if (leadsGroup && stat.pgid === root.pgid) add(stat.pid, 'group');
      if (leadsSession && stat.sid === root.sid) add(stat.pid, 'session');
    }
  }

  const unreadable: number[] = [];
  // An empty marker value would match nothing real; never treat it as "everyone".
  if (separator > 0 && markerValue !== '') {
    for (const [pid, value] of environ(markerKey)) {
      if (typeof value === 'object' && value.value === markerValue) add(pid, 'marker');
      else if (value === 'unreadable' && !reasons.has(pid)) unreadable.push(pid);
    }
  }

  // Listed after the scan, so a member forked since is found too (its stat is read then).
  let cgroupError: string | null = null;
  try {
    if (query.cgroup != null)
      for (const pid of listCgroupPids(query.cgroup)) if (pid !== process.pid) add(pid, 'cgroup');
  } catch (error) {
    // One run's unreadable cgroup is that run's uncertainty, not every termination's failure.
    cgroupError = (error as Error).message;
  }

  const members: TreeMember[] = [];
  for (const [pid, via] of reasons) {
    const stat = stats.get(pid) ?? (via.includes('cgroup') ? liveStat(pid) : undefined);
    if (stat !== undefined)
      members.push({ identity: identityFromStat(stat), comm: stat.comm, via });
  }
  return { members, unreadable, cgroupError };
}

// A process not in the scan (born since): its stat, unless it is already gone or dead.
function liveStat(pid: number): ProcStat | undefined {
  const stat = processTable().stat(pid);
  return stat === undefined || isDeadState(stat.state) ? undefined : stat;
}

// Children of every process, by parent pid.
function childrenOf(stats: ReadonlyMap<number, ProcStat>): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const stat of stats.values()) {
    const siblings = children.get(stat.ppid);
    if (siblings === undefined) children.set(stat.ppid, [stat.pid]);
    else siblings.push(stat.pid);
  }
  return children;
}

/** Every process whose parent chain leads to `rootPid`. */
function descendantsOf(rootPid: number, children: ReadonlyMap<number, number[]>): number[] {
  const found: number[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

// Kernel threads are children of kthreadd (pid 2) and have no environment to read.
function isKernelThread(stat: ProcStat): boolean {
  return stat.pid === 2 || stat.ppid === 2;
}
