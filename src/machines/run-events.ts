// Events of the run machine. Every timestamp comes in the event, so the machine stays pure.
import type { ProcessIdentity } from '../os/process-identity.js';
import type { CancelReason, ExitReason, RunErrorInfo } from '../types.js';

export type RunEvent =
  /** Every live predecessor in the scope is done (or there was none). */
  | { type: 'PREDECESSORS_DONE' }
  /** The process exists. `identity` is null only if it exited before it could be read. */
  | {
      type: 'SPAWNED';
      pid: number;
      identity: ProcessIdentity | null;
      /** The run host, for a durable run. */
      host?: ProcessIdentity | null;
      at: number;
    }
  /** The process could not be started. */
  | { type: 'SPAWN_FAILED'; error: RunErrorInfo; at: number }
  /** `bytes` of output arrived. */
  | { type: 'OUTPUT'; bytes: number; at: number }
  /** The watchdog woke up: compare deadlines against `now`. */
  | { type: 'TICK'; now: number }
  /** The run's own process ended (exit code or signal; both null when unknowable). */
  | {
      type: 'EXITED';
      exitCode: number | null;
      signal: NodeJS.Signals | null;
      /** The cause when the run host knows it (its own deadline expired, say). */
      reason?: ExitReason;
      at: number;
    }
  /** Finalize the run with `reason`; `error` says why, when a reason alone cannot. */
  | { type: 'CANCEL'; reason: CancelReason; error?: RunErrorInfo; at: number }
  /** Termination finished: every collected process is verified dead, or reported. */
  | {
      type: 'TREE_DEAD';
      forced: boolean;
      survivors: readonly number[];
      error: RunErrorInfo | null;
      at: number;
    }
  /** The run's process may exist but this supervisor holds no handle on it. */
  | { type: 'ORPHANED'; at: number }
  /**
   * The orphan's root was verified alive (the recorded identity, or, when none was
   * recorded, the run's earliest marker-carrying process); this supervisor watches it.
   * `null`: a durable run whose identity was never read (its process ended at once), which
   * its run host still holds: followed through the host alone, which reports its exit.
   */
  | { type: 'REATTACH'; identity: ProcessIdentity | null; at: number }
  /** The orphan's process is gone, or its record predates this boot. */
  | { type: 'LOST'; error?: RunErrorInfo; at: number };
