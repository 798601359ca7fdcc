// What the runtime of one supervisor shares with its runs' runtimes and effects.
import type { RunHostLink } from '../host/client/run-host-link.js';
import type { RunJournal } from '../persistence/run-journal.js';
import type { ProcessHandle } from '../os/process-handle.js';
import type { TerminationReport } from '../os/terminate-run-tree.js';
import type { RunDescriptor, RunStateName } from '../types.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import type { RunRuntime } from './run-runtime.js';

export interface RuntimeEnvironment {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly journal: RunJournal;
  /** The run host of this supervisor (durable runs). */
  readonly hostLink: RunHostLink;
  /** The runtime of a run this supervisor holds (live, or finished and kept). */
  runtime(runId: string): RunRuntime | undefined;
  /** Starts the process for a run (PTY or child). Throws SpawnError. */
  launch(runId: string, descriptor: RunDescriptor): Promise<ProcessHandle>;
  /** Called with what a termination found and did. */
  reportSweep(runId: string, report: TerminationReport): void;
  onStateChange(run: RunRuntime, from: RunStateName | null, to: RunStateName): void;
  /** A record write failed (the store is down, say): the run goes on, the record lags. */
  onRecordFailure(runId: string, error: unknown): void;
  /** The write-ahead record of a run failed: the run is refused. */
  onRecordRefused(runId: string, error: unknown): void;
  /** A record write landed after earlier ones of the run failed. */
  onRecordRecovered(runId: string): void;
}
