// What the sampler keeps for one run: its target, its latest sample, a bounded history for
// charts, its peaks, and (in marker mode) the CPU of members that left the tree.
import { CpuLedger } from './cpu-ledger.js';
import type {
  CgroupUsage,
  MeteringTarget,
  ResourcePoint,
  ResourceSample,
  TreeMeasure,
} from './metering-types.js';
import { RingBuffer } from './ring-buffer.js';

/** A measurement of one run in one tick, before it becomes a sample. */
export interface Measurement {
  readonly tree: TreeMeasure;
  /** From the run's cgroup; null in marker mode. */
  readonly cgroup: CgroupUsage | null;
}

export class RunMeter {
  private readonly points: RingBuffer<ResourcePoint>;
  private ledger = new CpuLedger();
  private last: ResourceSample | undefined;
  // The previous sample of the current target: CPU percent is measured against it.
  private previous: { at: number; cpuMs: number } | undefined;
  private peakMemoryBytes = 0;
  private peakProcesses = 0;

  constructor(
    private current: MeteringTarget,
    historyLength: number,
  ) {
    this.points = new RingBuffer(historyLength);
  }

  get target(): MeteringTarget {
    return this.current;
  }

  /** A new target (the run's next generation): CPU counts from it; history and peaks stay. */
  retarget(target: MeteringTarget): void {
    this.current = target;
    this.ledger = new CpuLedger();
    this.previous = undefined;
  }

  /** Turns a measurement into the run's next sample, and keeps it. */
  record(at: number, { tree, cgroup }: Measurement): ResourceSample {
    const memoryBytes = cgroup?.memoryBytes ?? tree.rssBytes;
    // cpu.stat counts up; still, a cgroup replaced under the same dir would count again.
    const cpuMs =
      cgroup === null
        ? this.ledger.account(tree.members)
        : Math.max(this.previous?.cpuMs ?? 0, cgroup.cpuUsec / 1000);
    const elapsed = this.previous === undefined ? 0 : at - this.previous.at;
    const cpuPercent =
      this.previous === undefined || elapsed <= 0
        ? null
        : ((cpuMs - this.previous.cpuMs) / elapsed) * 100;
    this.previous = { at, cpuMs };
    this.peakMemoryBytes = Math.max(this.peakMemoryBytes, memoryBytes);
    this.peakProcesses = Math.max(this.peakProcesses, tree.processes);
    const sample: ResourceSample = {
      at,
      containment: cgroup === null ? 'marker' : 'cgroup',
      processes: tree.processes,
      zombies: tree.zombies,
      threads: tree.threads,
      memoryBytes,
      memorySource: cgroup?.memoryBytes == null ? 'rss-sum' : 'memory.current',
      cpuMs,
      cpuSource: cgroup === null ? 'proc' : 'cpu.stat',
      cpuPercent,
      peakMemoryBytes: this.peakMemoryBytes,
      peakProcesses: this.peakProcesses,
      members: tree.members,
    };
    this.last = sample;
    this.points.push({
      at,
      processes: sample.processes,
      zombies: sample.zombies,
      memoryBytes,
      cpuMs,
      cpuPercent,
    });
    return sample;
  }

  latest(): ResourceSample | undefined {
    return this.last;
  }

  history(): ResourcePoint[] {
    return this.points.toArray();
  }
}
