// Events of the run machine. Every timestamp comes in the event, so the machine stays pure.
import type { ProcessIdentity } from '../os/process-identity.js';
import type { CancelReason, ExitReason, RunErrorInfo } from '../types.js';
import type { OrphanFacts } from './decide-orphan.js';

export type RunEvent =
  /** Every live predecessor in the scope is done (the parent supervisor says so). */
  | { type: 'PREDECESSORS_DONE' }
  /** The process exists. `identity` is null only if it exited before it could be read. */
  | {
      type: 'SPAWNED';
      pid: number;
      identity: ProcessIdentity | null;
      /** The run host, for a durable run. */
      host?: ProcessIdentity | null;
      /** The cgroup the process was verified to be born in (cgroup containment), or null. */
      cgroup?: string | null;
      at: number;
    }
  /** The process could not be started. */
  | { type: 'SPAWN_FAILED'; error: RunErrorInfo; at: number }
  /** `bytes` of output arrived. */
  | { type: 'OUTPUT'; bytes: number; at: number }
  /** The watchdog woke up: compare deadlines against `now`. */
  | { type: 'TICK'; now: number }
  /** The restart timer woke up: the next generation starts if `now` is its time. */
  | { type: 'RESTART_DUE'; now: number }
  /** From its group: stop this generation (tree verified dead) and wait to start again. */
  | { type: 'RECYCLE'; at?: number }
  /** From its group: start the next generation now (the run is `held`). */
  | { type: 'RESUME'; now: number }
  /** From its group: past the intensity all the way up; end for good (`restart-limit`). */
  | { type: 'GIVE_UP'; at: number }
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
  | { type: 'CANCEL'; reason: CancelReason; error?: RunErrorInfo; at?: number }
  /** Stop supervising without a signal (a `leave` shutdown); the process goes on. */
  | { type: 'RELEASE'; at?: number }
  /** Termination finished: every collected process is verified dead, or reported. */
  | {
      type: 'TREE_DEAD';
      forced: boolean;
      survivors: readonly number[];
      error: RunErrorInfo | null;
      at: number;
    }
  /**
   * Boot's verified facts about an orphan. The guards decide: reattach, kill, lost, or (an
   * identity that cannot be read) stay orphaned and never be signalled on faith. `root` is
   * the process a reattached run is watched through; `error` says why when the reason
   * alone does not (a run host this code cannot speak to).
   */
  | {
      type: 'ADOPT';
      facts: OrphanFacts;
      root: ProcessIdentity | null;
      error?: RunErrorInfo;
      at: number;
    };
