// What the run effects need from the runtime: a run's resources, found by run id, and the
// ways to start a process and to report a termination.
import type { RunContext } from '../machines/run-context.js';
import type { ProcessHandle } from '../os/process-handle.js';
import type { Launched } from './launch-in-cgroup.js';
import type { TerminationReport } from '../os/terminate-run-tree.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import type { RunDescriptor } from '../types.js';

/** The part of a run's runtime the effects act on. */
export interface EffectRun {
  readonly id: string;
  readonly context: RunContext;
  /** Stores the write-ahead record; resolves once durable, rejects if it cannot be. */
  writeAhead(): Promise<void>;
  /** Takes the handle of the process just started. */
  attachProcess(handle: ProcessHandle): void;
  /** Waits up to `ms` for the held process's exit report. */
  waitForExitReport(ms: number): Promise<void>;
  /** Reports counted output now, before another event reaches the machine. */
  flushOutput(): void;
}

/** What a launch starts: one generation of a run. */
export interface LaunchTarget {
  readonly runId: string;
  readonly descriptor: RunDescriptor;
  /** 1 for the first start, one more at each restart. */
  readonly generation: number;
  /** The run's output offset so far: where a restarted generation's output goes on. */
  readonly outputFrom: number;
}

export interface EffectEnvironment {
  readonly clock: Clock;
  readonly logger: Logger;
  /** The run an effect acts for, or undefined if this supervisor holds no such run. */
  runtime(runId: string): EffectRun | undefined;
  /**
   * Starts the process of a run's generation (PTY, child or run host), in its cgroup under
   * cgroup containment. Throws SpawnError.
   */
  launch(target: LaunchTarget): Promise<Launched>;
  /** Called with what a termination found and did. */
  reportSweep(runId: string, report: TerminationReport): void;
}
