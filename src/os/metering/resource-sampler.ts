// One shared sampler for every live run: a single unref'd timer, one /proc scan a tick for
// all marker-mode runs, one cgroup read a tick for each cgroup-mode run. It only measures:
// nothing here signals a process or changes a run.
import { InvalidOptionError } from '../../errors.js';
import { systemClock, type Clock } from '../../support/clock.js';
import { RUN_MARKER } from '../run-marker.js';
import { measurePids, measureRunTree } from './measure-run-tree.js';
import type {
  CgroupUsage,
  MeteringTarget,
  ResourcePoint,
  ResourceSample,
} from './metering-types.js';
import { createProcScanner, type ProcScan, type ProcScanner } from './proc-scan.js';
import { RunMeter, type Measurement } from './run-meter.js';
import { validateSamplerOptions, type ResourceSamplerOptions } from './sampler-options.js';

export { SAMPLER_DEFAULTS, type ResourceSamplerOptions } from './sampler-options.js';

/** Receives every sample, once per tracked run per tick. */
export type SampleListener = (runId: string, sample: ResourceSample) => void;

const GONE: CgroupUsage = { cpuUsec: 0, memoryBytes: null, pids: [] };

export class ResourceSampler {
  private readonly intervalMs: number;
  private readonly historyLength: number;
  private readonly clock: Clock;
  private readonly scanner: ProcScanner;
  private readonly meters = new Map<string, RunMeter>();
  private readonly listeners = new Set<SampleListener>();
  private timer: unknown = null;
  private inFlight: Promise<void> | null = null;
  private lastStart = -Infinity;
  private stopped = false;

  constructor(private readonly options: ResourceSamplerOptions = {}) {
    const valid = validateSamplerOptions(options);
    this.intervalMs = valid.intervalMs;
    this.historyLength = valid.historyLength;
    this.clock = options.clock ?? systemClock;
    this.scanner = options.scanner ?? createProcScanner();
  }

  /** Adds a listener; returns the function that removes it. */
  onSample(listener: SampleListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Measures `runId` from the next tick on. Tracking it again replaces its target (its next
   * generation): CPU then counts from the new target; history and peaks stay. After stop()
   * it does nothing.
   */
  track(runId: string, target: MeteringTarget): void {
    if (typeof runId !== 'string' || runId === '') {
      throw new InvalidOptionError('runId', runId, 'a non-empty string');
    }
    if (target.cgroupDir !== undefined && this.options.readCgroupUsage === undefined) {
      throw new InvalidOptionError('cgroupDir', target.cgroupDir, 'a sampler with readCgroupUsage');
    }
    if (target.cgroupDir === undefined && target.root === null && target.marker === null) {
      throw new InvalidOptionError('target', target, 'a root, a marker or a cgroupDir');
    }
    if (this.stopped) return;
    const meter = this.meters.get(runId);
    if (meter === undefined) this.meters.set(runId, new RunMeter(target, this.historyLength));
    else meter.retarget(target);
    this.arm();
  }

  /** Stops measuring `runId` and forgets it; returns its last sample, if it had one. */
  untrack(runId: string): ResourceSample | undefined {
    const meter = this.meters.get(runId);
    this.meters.delete(runId);
    if (this.meters.size === 0) this.disarm();
    return meter?.latest();
  }

  /** The runs being measured. */
  tracked(): string[] {
    return [...this.meters.keys()];
  }

  /** The run's latest sample; undefined before its first tick or once untracked. */
  latest(runId: string): ResourceSample | undefined {
    return this.meters.get(runId)?.latest();
  }

  /** The run's recent points, oldest first (at most `historyLength`). */
  history(runId: string): ResourcePoint[] {
    return this.meters.get(runId)?.history() ?? [];
  }

  /**
   * Takes a sample of every tracked run now (after the tick in flight, if any) and resolves
   * once it is emitted; the timer then counts from this tick.
   */
  async sampleNow(): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
    if (this.stopped) return;
    this.disarm();
    await this.fire();
  }

  /** Clears the timer. No tick starts after this, and a tick in flight emits nothing. */
  stop(): void {
    this.stopped = true;
    this.disarm();
  }

  // Schedules the next tick, unless one is pending or in flight (ticks never overlap: the
  // next is armed when a tick ends). Ticks keep a fixed rhythm from the last one; after a
  // tick that overran its interval, the next skips the slots it missed instead of starting
  // at once, so a slow scan never makes the sampler run back to back.
  private arm(afterTick = false): void {
    if (this.stopped || this.timer !== null || this.inFlight !== null) return;
    if (this.meters.size === 0) return;
    const since = this.clock.now() - this.lastStart;
    const delay = afterTick
      ? this.intervalMs - (since % this.intervalMs)
      : Math.max(0, this.intervalMs - since);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.fire();
    }, delay);
  }

  private disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(): Promise<void> {
    const tick = this.tick()
      .catch((error: unknown) => {
        this.report(error, null);
      })
      .finally(() => {
        this.inFlight = null;
        this.arm(true);
      });
    this.inFlight = tick;
    return tick;
  }

  private async tick(): Promise<void> {
    const at = this.clock.now();
    this.lastStart = at;
    const runs = [...this.meters].map(([runId, meter]) => ({ runId, meter, target: meter.target }));
    if (runs.length === 0) return;
    const cgroups = new Map<string, CgroupUsage>();
    await Promise.all(
      runs.map(async ({ runId, target }) => {
        if (target.cgroupDir === undefined) return;
        try {
          const usage = await this.options.readCgroupUsage?.(target.cgroupDir);
          cgroups.set(runId, usage ?? GONE);
        } catch (error) {
          this.report(error, runId);
        }
      }),
    );
    if (this.stopped) return;
    const scan = this.scan(
      runs.some(({ target }) => target.cgroupDir === undefined),
      cgroups,
    );
    if (scan === undefined) return;
    const samples: [string, RunMeter, ResourceSample][] = [];
    for (const { runId, meter, target } of runs) {
      // Untracked or retargeted while the cgroups were read: this measurement is stale.
      if (this.meters.get(runId) !== meter || meter.target !== target) continue;
      try {
        const measurement = this.measure(scan, runId, target, cgroups);
        if (measurement !== undefined) samples.push([runId, meter, meter.record(at, measurement)]);
      } catch (error) {
        this.report(error, runId);
      }
    }
    for (const [runId, meter, sample] of samples) {
      // A listener may stop the sampler or untrack a run.
      if (this.isStopped()) return;
      if (this.meters.get(runId) === meter) this.emit(runId, sample);
    }
  }

  // One scan for the tick: the whole table if any run is in marker mode, else only the
  // cgroups' pids. Undefined (reported) if /proc cannot be read at all.
  private scan(whole: boolean, cgroups: ReadonlyMap<string, CgroupUsage>): ProcScan | undefined {
    try {
      if (whole) return this.scanner.scan();
      return this.scanner.scanPids([...cgroups.values()].flatMap((usage) => usage.pids));
    } catch (error) {
      this.report(error, null);
      return undefined;
    }
  }

  private measure(
    scan: ProcScan,
    runId: string,
    target: MeteringTarget,
    cgroups: ReadonlyMap<string, CgroupUsage>,
  ): Measurement | undefined {
    if (target.cgroupDir !== undefined) {
      const cgroup = cgroups.get(runId);
      // Its read failed (reported): no sample this tick.
      if (cgroup === undefined) return undefined;
      return { tree: measurePids(scan, cgroup.pids), cgroup };
    }
    const marker = target.marker === undefined ? `${RUN_MARKER}=${runId}` : target.marker;
    return { tree: measureRunTree(scan, { root: target.root, marker }), cgroup: null };
  }

  private emit(runId: string, sample: ResourceSample): void {
    for (const listener of this.listeners) {
      try {
        listener(runId, sample);
      } catch (error) {
        this.report(error, runId);
      }
    }
  }

  // Read through a call: TypeScript would keep `stopped` narrowed across listener calls.
  private isStopped(): boolean {
    return this.stopped;
  }

  private report(error: unknown, runId: string | null): void {
    try {
      this.options.onError?.(error, runId);
    } catch {
      // An error handler that throws must not stop the sampler either.
    }
  }
}
