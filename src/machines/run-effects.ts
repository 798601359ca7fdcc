// The run machine's effects, as named actor logic. Each is invoked by the state that needs
// it and stopped when that state is left. These definitions do nothing: the runtime
// provides the real ones (`machine.provide({ actors })`), and pure tests keep these.
import { fromCallback, fromPromise } from 'xstate';
import type { RunDeadlines } from '../types.js';
import type { RunEvent } from './run-events.js';

/** Which run an effect acts for. */
export interface RunEffectInput {
  readonly runId: string;
}

/** What the watchdog arms: the run's absolute deadlines, and whether it is idle already. */
export interface WatchdogInput {
  readonly runId: string;
  readonly deadlines: RunDeadlines;
  readonly idle: boolean;
}

/** What the restart timer arms: when the run's next generation may start. */
export interface RestartTimerInput {
  readonly runId: string;
  readonly startAt: number;
}

export const runEffects = {
  /** Stores the run's record and resolves once it is durable; rejects if it cannot be. */
  writeAhead: fromPromise<undefined, RunEffectInput>(() => Promise.resolve(undefined)),
  /** Starts the process; reports SPAWNED or SPAWN_FAILED. */
  launch: fromCallback<RunEvent, RunEffectInput>(() => undefined),
  /** Sends TICK at the earliest deadline that can still fire. */
  watchdog: fromCallback<RunEvent, WatchdogInput>(() => undefined),
  /** Ends the whole tree, verifies it dead, and reports TREE_DEAD (and EXITED). */
  terminate: fromCallback<RunEvent, RunEffectInput>(() => undefined),
  /** Sends RESTART_DUE once the next generation may start. */
  restartTimer: fromCallback<RunEvent, RestartTimerInput>(() => undefined),
};
