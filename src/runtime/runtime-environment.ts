// What the runtime of one supervisor shares with its runs' runtimes and effects.
import type { EffectEnvironment } from '../effects/effect-environment.js';
import type { RunHostLink } from '../host/client/run-host-link.js';
import type { RunJournal } from '../persistence/run-journal.js';
import type { RunStateName } from '../types.js';
import type { RunRuntime } from './run-runtime.js';

export interface RuntimeEnvironment extends EffectEnvironment {
  readonly journal: RunJournal;
  /** The run host of this supervisor (durable runs). */
  readonly hostLink: RunHostLink;
  /** The runtime of a run this supervisor holds (live, or finished and kept). */
  runtime(runId: string): RunRuntime | undefined;
  onStateChange(run: RunRuntime, from: RunStateName | null, to: RunStateName): void;
  /** A record write failed (the store is down, say): the run goes on, the record lags. */
  onRecordFailure(runId: string, error: unknown): void;
  /** The write-ahead record of a run failed: the run is refused. */
  onRecordRefused(runId: string, error: unknown): void;
  /** A finished run's last record is durable: its queue is done. */
  onRecordsSettled(runId: string): void;
  /** A record write landed after earlier ones of the run failed. */
  onRecordRecovered(runId: string): void;
}
