// One scan of /proc shared by every run the sampler measures: each process's stat line is
// read once per tick, indexed by parent, group and session, and environments (for the run
// marker) and command lines are read only for processes the scanner has not seen settle.
// Linux only: where there is no /proc, a scan throws (the sampler reports it each tick).
import { listPids, readEnvironValue, readUptimeSeconds, type EnvironValue } from '../proc-fs.js';
import { currentBootId } from '../process-identity.js';
import { MS_PER_TICK, readCommandHead, readProcUsage, type ProcUsage } from './proc-usage.js';

/** The processes of one instant, indexed for finding runs' trees. */
export interface ProcScan {
  /** Boot id of this machine: identities of another boot name nobody here. */
  readonly bootId: string;
  /** Every process seen, zombies included (kernel threads and this process left out). */
  readonly processes: ReadonlyMap<number, ProcUsage>;
  childrenOf(pid: number): readonly number[];
  inGroup(pgid: number): readonly number[];
  inSession(sid: number): readonly number[];
  /** Pids of live processes whose environment has `key=value`. */
  marked(key: string, value: string): readonly number[];
  /** The head of a process's command line, or its comm. */
  commandOf(usage: ProcUsage): string;
}

/** Where a scanner reads from; tests substitute it. */
export interface ProcSource {
  listPids(): number[];
  readUsage(pid: number): ProcUsage | undefined;
  readEnviron(pid: number, key: string): EnvironValue;
  readCommand(pid: number): string | undefined;
  uptimeSeconds(): number;
  bootId(): string;
}

/** The real /proc. */
export const procSource: ProcSource = {
  listPids,
  readUsage: readProcUsage,
  readEnviron: readEnvironValue,
  readCommand: (pid) => readCommandHead(pid),
  uptimeSeconds: readUptimeSeconds,
  bootId: currentBootId,
};

/** Scans on demand, remembering what does not change between scans. */
export interface ProcScanner {
  /** Every process (for marker-mode runs). */
  scan(): ProcScan;
  /** Only these pids (for cgroup-mode runs, when no run needs the whole table). */
  scanPids(pids: Iterable<number>): ProcScan;
}

// A process's environment and command line are remembered once it has run this long: a new
// one may be between fork and exec, still showing its parent's (as in procfs-table.ts).
const SETTLED_MS = 2000;

interface Memo<T> {
  readonly startTicks: number;
  // An exec changes comm (and the command line): then it is read again.
  readonly comm: string;
  readonly value: T;
}

/** Remembered values by pid, valid while the same process (start time and comm) is there. */
class Memos<T> {
  private readonly memos = new Map<number, Memo<T>>();

  recall(usage: ProcUsage): T | undefined {
    const memo = this.memos.get(usage.pid);
    return memo?.startTicks === usage.startTicks && memo.comm === usage.comm
      ? memo.value
      : undefined;
  }

  remember(usage: ProcUsage, value: T): void {
    this.memos.set(usage.pid, { startTicks: usage.startTicks, comm: usage.comm, value });
  }

  /** Forgets every process that is not in `processes` (or is now another one). */
  prune(processes: ReadonlyMap<number, ProcUsage>): void {
    for (const [pid, memo] of this.memos) {
      const usage = processes.get(pid);
      if (usage?.startTicks !== memo.startTicks || usage.comm !== memo.comm) this.memos.delete(pid);
    }
  }
}

export function createProcScanner(source: ProcSource = procSource): ProcScanner {
  // By variable name: only the run marker in practice.
  const environs = new Map<string, Memos<EnvironValue>>();
  const commands = new Memos<string>();

  const build = (processes: Map<number, ProcUsage>, indexed: boolean): ProcScan => {
    const settledBefore = (source.uptimeSeconds() * 1000 - SETTLED_MS) / MS_PER_TICK;
    const settled = (usage: ProcUsage): boolean => usage.startTicks < settledBefore;
    const children = indexed
      ? indexBy(processes, (usage) => usage.ppid)
      : new Map<number, number[]>();
    const groups = indexed
      ? indexBy(processes, (usage) => usage.pgid)
      : new Map<number, number[]>();
    const sessions = indexed
      ? indexBy(processes, (usage) => usage.sid)
      : new Map<number, number[]>();
    const markers = new Map<string, Map<string, number[]>>();
    // A partial scan keeps the environments: only a full one knows who is gone.
    if (indexed) for (const memos of environs.values()) memos.prune(processes);
    commands.prune(processes);

    // Every live process's value of `key`, read in one pass, indexed by value.
    const markerIndex = (key: string): Map<string, number[]> => {
      let memos = environs.get(key);
      if (memos === undefined) environs.set(key, (memos = new Memos()));
      const byValue = new Map<string, number[]>();
      for (const usage of processes.values()) {
        if (usage.state === 'Z') continue;
        let value = memos.recall(usage);
        if (value === undefined) {
          value = source.readEnviron(usage.pid, key);
          // Unreadable (another user's process, to a supervisor that is not root) is
          // remembered too: metering only needs its own runs' processes, and re-reading
          // every foreign environment at every tick would cost a failed open each.
          if (value !== 'gone' && settled(usage)) memos.remember(usage, value);
        }
        if (typeof value === 'object') {
          const pids = byValue.get(value.value);
          if (pids === undefined) byValue.set(value.value, [usage.pid]);
          else pids.push(usage.pid);
        }
      }
      return byValue;
    };

    return {
      bootId: source.bootId(),
      processes,
      childrenOf: (pid) => children.get(pid) ?? [],
      inGroup: (pgid) => groups.get(pgid) ?? [],
      inSession: (sid) => sessions.get(sid) ?? [],
      marked: (key, value) => {
        let byValue = markers.get(key);
        if (byValue === undefined) markers.set(key, (byValue = markerIndex(key)));
        return byValue.get(value) ?? [];
      },
      commandOf: (usage) => {
        const known = commands.recall(usage);
        if (known !== undefined) return known;
        const command = source.readCommand(usage.pid) ?? usage.comm;
        if (settled(usage)) commands.remember(usage, command);
        return command;
      },
    };
  };

  return {
    scan: () => {
      const processes = new Map<number, ProcUsage>();
      for (const pid of source.listPids()) {
        if (pid === process.pid) continue;
        const usage = source.readUsage(pid);
        // Kernel threads (kthreadd and its children) belong to no run; X: already dying.
        if (usage === undefined || usage.pid === 2 || usage.ppid === 2 || usage.state === 'X') {
          continue;
        }
        processes.set(pid, usage);
      }
      return build(processes, true);
    },
    scanPids: (pids) => {
      const processes = new Map<number, ProcUsage>();
      for (const pid of pids) {
        const usage = pid === process.pid ? undefined : source.readUsage(pid);
        if (usage !== undefined && usage.state !== 'X') processes.set(pid, usage);
      }
      return build(processes, false);
    },
  };
}

function indexBy(
  processes: ReadonlyMap<number, ProcUsage>,
  keyOf: (usage: ProcUsage) => number,
): Map<number, number[]> {
  const index = new Map<number, number[]>();
  for (const usage of processes.values()) {
    const key = keyOf(usage);
    const pids = index.get(key);
    if (pids === undefined) index.set(key, [usage.pid]);
    else pids.push(usage.pid);
  }
  return index;
}
