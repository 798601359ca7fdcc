// What the metering measures and reports: one run's tree at one instant, and what the
// sampler is told to measure.
import type { ProcessIdentity } from '../process-identity.js';

/** One process of a run's tree, for the dashboard's view of the current tree. */
export interface MeteredProcess {
  readonly pid: number;
  readonly ppid: number;
  /** Start time in clock ticks since boot: with the pid, who this process is. */
  readonly startTicks: number;
  /** One-letter state from /proc: R, S, D, T, Z (zombie)... */
  readonly state: string;
  /** Command name (at most 15 characters, from /proc/<pid>/stat). */
  readonly comm: string;
  /** The head of its command line (argv joined by spaces, cut at 200 characters), or comm. */
  readonly command: string;
  /** Resident memory. 0 for a zombie, which holds none. */
  readonly rssBytes: number;
  /** CPU time of the process and of the children it has waited for. */
  readonly cpuMs: number;
  readonly threads: number;
}

/** One measurement of a run's tree. */
export interface TreeMeasure {
  /** Live processes: members that are not zombies. */
  readonly processes: number;
  /**
   * Zombies of the tree (exited, not yet reaped by their parent): not in `processes`, since
   * they run nothing and hold no memory, but each still holds a pid; listed in `members`
   * with state `Z` and `rssBytes` 0.
   */
  readonly zombies: number;
  /** Threads of the live processes. */
  readonly threads: number;
  /** Sum of the members' resident memory (pages shared between them count in each). */
  readonly rssBytes: number;
  /** CPU of the members now present and of the children they have waited for. */
  readonly cpuMs: number;
  /** Live processes and zombies, oldest first. */
  readonly members: readonly MeteredProcess[];
}

/** One sample of a run, as the sampler emits it. */
export interface ResourceSample {
  /** When the sample was taken: the clock's milliseconds at the start of the tick. */
  readonly at: number;
  /** `cgroup`: measured from the run's cgroup; `marker`: its tree found in /proc. */
  readonly containment: 'cgroup' | 'marker';
  readonly processes: number;
  readonly zombies: number;
  readonly threads: number;
  /** The tree's resident memory: `memory.current` where the cgroup has it, else the RSS sum. */
  readonly memoryBytes: number;
  readonly memorySource: 'memory.current' | 'rss-sum';
  /**
   * CPU time of the run's current target so far; never decreases. From `cpu.stat` in a
   * cgroup (exact: reaped descendants included). In marker mode a lower bound: see
   * cpu-ledger.ts for what is kept and what is lost.
   */
  readonly cpuMs: number;
  readonly cpuSource: 'cpu.stat' | 'proc';
  /** CPU used since the previous sample, in percent of one core; null on a first sample. */
  readonly cpuPercent: number | null;
  /** Highest `memoryBytes` seen since the run was first tracked. */
  readonly peakMemoryBytes: number;
  /** Highest `processes` seen since the run was first tracked. */
  readonly peakProcesses: number;
  readonly members: readonly MeteredProcess[];
}

/** A sample without its member list: what the history keeps for charts. */
export type ResourcePoint = Pick<
  ResourceSample,
  'at' | 'processes' | 'zombies' | 'memoryBytes' | 'cpuMs' | 'cpuPercent'
>;

/** What identifies a run's processes to the sampler. */
export interface MeteringTarget {
  /** The run's root process (as recorded at spawn); null when unknown. */
  readonly root: ProcessIdentity | null;
  /**
   * Environment entry every process of the run inherits (`RUNWARDEN_RUN_ID=<id>`); default
   * the run marker with the tracked run id; null: match by the root only.
   */
  readonly marker?: string | null;
  /** The run's cgroup directory: when set, the run is measured from it (cgroup mode). */
  readonly cgroupDir?: string;
}

/** What a cgroup says about its processes. */
export interface CgroupUsage {
  /** `usage_usec` of `cpu.stat`: every process ever in the cgroup, reaped ones included. */
  readonly cpuUsec: number;
  /** `memory.current`, or null where the memory controller is not enabled for it. */
  readonly memoryBytes: number | null;
  /** `cgroup.procs`: the pids (processes, not threads) in it now. */
  readonly pids: readonly number[];
}

/**
 * Reads a cgroup's usage (injected: the cgroup layer provides it). Null when the cgroup no
 * longer exists; sync or async.
 */
export type ReadCgroupUsage = (dir: string) => CgroupUsage | null | Promise<CgroupUsage | null>;
