// What a run controller needs from its supervisor. One object per supervisor.
import type { RunHostLink } from '../host/client/run-host-link.js';
import type { Inspect } from '../options/supervisor-options.js';
import type { RunJournal } from '../persistence/run-journal.js';
import type { ProcessHandle } from '../os/process-handle.js';
import type { TerminationReport } from '../os/terminate-run-tree.js';
import type { RunDescriptor, RunExit, RunStateName } from '../types.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import type { RunController } from './run-controller.js';

export interface RunEnvironment {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly journal: RunJournal;
  readonly inspect: Inspect | undefined;
  /** The run host of this supervisor (durable runs). */
  readonly hostLink: RunHostLink;
  /** Starts the process for a run (PTY or child). Throws SpawnError. */
  launch(runId: string, descriptor: RunDescriptor): Promise<ProcessHandle>;
  /** Finalizes the live predecessors of `run` in its scope when it replaces them. */
  replacePredecessors(run: RunController): Promise<void>;
  /** Called with what a termination found and did. */
  reportSweep(run: RunController, report: TerminationReport): void;
  onStateChange(run: RunController, from: RunStateName | null, to: RunStateName): void;
  /** A record write failed (the store is down, say): the run goes on, the record lags. */
  onRecordFailure(run: RunController, error: unknown): void;
  /** A record write landed after earlier ones of the run failed. */
  onRecordRecovered(run: RunController): void;
  /** Called once, after the final record was written. */
  onDone(run: RunController, exit: RunExit): void;
}
