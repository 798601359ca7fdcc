// Measures one run's tree from a scan shared by every run: who is in it (by the same rules
// as collect-run-tree.ts: the root and its descendants, the group and session the root
// leads, every process carrying the marker), and what they hold.
import { thisHostname } from '../this-host.js';
import type { ProcessIdentity } from '../process-identity.js';
import type { MeteredProcess, TreeMeasure } from './metering-types.js';
import type { ProcScan } from './proc-scan.js';
import { MS_PER_TICK, readPageSize, type ProcUsage } from './proc-usage.js';

/** What identifies a run's processes in marker mode. */
export interface MeteringQuery {
  /** The run's root process; null when unknown. */
  readonly root: ProcessIdentity | null;
  /** `KEY=value` every process of the run inherits; null: none. */
  readonly marker: string | null;
}

let pageSize: number | undefined;

/**
 * Measures a run's tree in marker mode. Memory is the sum of the members' RSS, read from
 * the stat line the scan reads anyway (field 24: the same counter as statm's resident and
 * status's VmRSS, so no second file per process). Pages shared between members (libraries,
 * copy-on-write after fork) count in each, so the sum overstates; PSS would not, but needs
 * smaps_rollup, a page-table walk per process. CPU is utime + stime of each member plus
 * the CPU of the children it has waited for (cutime + cstime): what descendants reaped by
 * a member used is kept; what a process reaped outside the tree used (by init, after it was
 * reparented, or the root reaped by the supervisor) is gone from /proc. cpu-ledger.ts keeps
 * the last value seen of such processes; a cgroup's cpu.stat keeps all of it.
 */
export function measureRunTree(scan: ProcScan, query: MeteringQuery): TreeMeasure {
  return measurePids(scan, findMembers(scan, query));
}

/**
 * Measures the processes `pids` (a cgroup's members); pids the scan does not have are gone.
 * A pid reused between the cgroup read and the scan would be measured as a member: this
 * only measures, and the window is one tick's few milliseconds.
 */
export function measurePids(scan: ProcScan, pids: Iterable<number>): TreeMeasure {
  pageSize ??= readPageSize();
  const members: MeteredProcess[] = [];
  let processes = 0;
  let zombies = 0;
  let threads = 0;
  let rssBytes = 0;
  let cpuTicks = 0;
  for (const pid of pids) {
    const usage = scan.processes.get(pid);
    if (usage === undefined) continue;
    const zombie = usage.state === 'Z';
    // A zombie's stat still shows its last CPU (its parent adds it to cutime on reaping),
    // and no memory.
    const rss = zombie ? 0 : usage.rssPages * pageSize;
    const ticks = usage.cpuTicks + usage.reapedTicks;
    if (zombie) zombies++;
    else {
      processes++;
      threads += usage.threads;
    }
    rssBytes += rss;
    cpuTicks += ticks;
    members.push(meteredProcess(scan, usage, rss, ticks));
  }
  members.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  return { processes, zombies, threads, rssBytes, cpuMs: cpuTicks * MS_PER_TICK, members };
}

function meteredProcess(
  scan: ProcScan,
  usage: ProcUsage,
  rssBytes: number,
  ticks: number,
): MeteredProcess {
  return {
    pid: usage.pid,
    ppid: usage.ppid,
    startTicks: usage.startTicks,
    state: usage.state,
    comm: usage.comm,
    // A zombie has no command line left: its comm says what it was.
    command: usage.state === 'Z' ? usage.comm : scan.commandOf(usage),
    rssBytes,
    cpuMs: ticks * MS_PER_TICK,
    threads: usage.threads,
  };
}

/** The pids of a run's tree (zombies included), by the rules of collect-run-tree.ts. */
export function findMembers(scan: ProcScan, query: MeteringQuery): Set<number> {
  const members = new Set<number>();
  const root = query.root;
  const rootUsage = root === null ? undefined : scan.processes.get(root.pid);
  // The root names a process only if it was read on this host, in this boot.
  const rootHere =
    root !== null &&
    root.hostname === thisHostname() &&
    root.bootId === scan.bootId &&
    rootUsage?.startTicks === root.startTicks;
  if (rootHere) {
    members.add(root.pid);
    const queue = [...scan.childrenOf(root.pid)];
    for (let pid = queue.pop(); pid !== undefined; pid = queue.pop()) {
      if (members.has(pid)) continue;
      members.add(pid);
      queue.push(...scan.childrenOf(pid));
    }
    // Group and session name the run only while its verified root leads them, and no
    // process of them predates its leader.
    const since = (pid: number): boolean =>
      (scan.processes.get(pid)?.startTicks ?? -1) >= root.startTicks;
    if (root.pgid === root.pid)
      for (const pid of scan.inGroup(root.pgid)) if (since(pid)) members.add(pid);
    if (root.sid === root.pid)
      for (const pid of scan.inSession(root.sid)) if (since(pid)) members.add(pid);
  }
  const separator = query.marker?.indexOf('=') ?? -1;
  if (query.marker != null && separator > 0) {
    const value = query.marker.slice(separator + 1);
    // An empty value would match nothing real; never treat it as "everyone".
    if (value !== '') {
      for (const pid of scan.marked(query.marker.slice(0, separator), value)) members.add(pid);
    }
  }
  return members;
}
