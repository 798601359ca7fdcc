// The run machine's context and how a final RunExit is derived from it.
import type { ProcessIdentity } from '../os/process-identity.js';
import type {
  CancelReason,
  ExitReason,
  RunDeadlines,
  RunDescriptor,
  RunErrorInfo,
  RunExit,
} from '../types.js';

/** What the run machine remembers. Plain JSON: it is persisted at every transition. */
export interface RunContext {
  readonly runId: string;
  /**
   * Where this actor's context came from: a new spawn, or a record of an earlier
   * supervisor (adopted at boot, never spawned again).
   */
  readonly origin: 'spawn' | 'record';
  readonly descriptor: RunDescriptor;
  readonly createdAt: number;
  readonly pid: number | null;
  readonly identity: ProcessIdentity | null;
  /** The run host holding a durable run (verified when it was reached). */
  readonly host: ProcessIdentity | null;
  /**
   * The cgroup this generation's process was born in (cgroup containment): ending the run
   * empties it, and `populated 0` proves its whole tree dead. Null: the marker holds it.
   */
  readonly cgroup: string | null;
  readonly startedAt: number | null;
  readonly lastOutputAt: number | null;
  readonly outputBytes: number;
  readonly deadlines: RunDeadlines;
  /** Why finalization started; fixed by the first cause. */
  readonly endReason: ExitReason | null;
  /** The run's own process ended; `null` until known. */
  readonly processExit: {
    readonly exitCode: number | null;
    readonly signal: NodeJS.Signals | null;
  } | null;
  /** Result of tree termination; `null` until it finished. */
  readonly termination: {
    readonly forced: boolean;
    readonly survivors: readonly number[];
    readonly error: RunErrorInfo | null;
  } | null;
  readonly error: RunErrorInfo | null;
  readonly endedAt: number | null;
  readonly exit: RunExit | null;
  /** 1 for the first start; each restart begins the next generation. */
  readonly generation: number;
  /** Restarts so far. */
  readonly restarts: number;
  /** When each restart of the current window began (epoch ms), oldest first. */
  readonly restartedAt: readonly number[];
  /** Quick failures in a row: the exponent of the next restart delay. */
  readonly backoffStep: number;
  /** In `backoff`: when the next generation starts. */
  readonly nextStartAt: number | null;
  /** Why the last generation ended, once it has (a restart, or the restart limit). */
  readonly generationEnd: ExitReason | null;
  /** A cancel came for this generation (even while it was finalizing): no restart. */
  readonly stopReason: CancelReason | null;
  /** Its group stopped this generation to start it again (a one-for-all restart, say). */
  readonly recycling: boolean;
}

/** Input of a run machine: a new run, or the context of a stored record to adopt. */
export type RunInput =
  | {
      readonly runId: string;
      readonly descriptor: RunDescriptor;
      readonly createdAt: number;
    }
  | { readonly record: RunContext };

/** What a generation starts without: a process, its deadlines, its end. */
export const NO_PROCESS_YET = {
  pid: null,
  identity: null,
  host: null,
  cgroup: null,
  startedAt: null,
  lastOutputAt: null,
  deadlines: { timeoutAt: null, noOutputAt: null, idleAt: null },
  endReason: null,
  processExit: null,
  termination: null,
  error: null,
  endedAt: null,
  exit: null,
  stopReason: null,
  recycling: false,
} as const satisfies Partial<RunContext>;

/** The initial context of a run actor. */
export function initialRunContext(input: RunInput): RunContext {
  // An adopted run's end is decided anew: an earlier supervisor's `released` is no end.
  if ('record' in input) return { ...input.record, origin: 'record', exit: null };
  return {
    runId: input.runId,
    origin: 'spawn',
    descriptor: input.descriptor,
    createdAt: input.createdAt,
    outputBytes: 0,
    ...NO_PROCESS_YET,
    generation: 1,
    restarts: 0,
    restartedAt: [],
    backoffStep: 0,
    nextStartAt: null,
    generationEnd: null,
  };
}

/** Builds the RunExit recorded when the run enters `done`. */
export function buildRunExit(context: RunContext): RunExit {
  const reason = context.endReason ?? 'lost';
  const endedAt = context.endedAt ?? context.startedAt ?? context.createdAt;
  // The restart limit keeps the details of the generation that ended last.
  const cause = reason === 'restart-limit' ? context.generationEnd : reason;
  return {
    reason,
    exitCode: context.processExit?.exitCode ?? null,
    signal: context.processExit?.signal ?? null,
    durationMs: Math.max(0, endedAt - (context.startedAt ?? context.createdAt)),
    timedOut: cause === 'timeout',
    noOutputTimedOut: cause === 'no-output-timeout',
    forced: context.termination?.forced ?? false,
    error: context.error ?? context.termination?.error ?? null,
    survivors: context.termination?.survivors ?? [],
    restarts: context.restarts,
  };
}

/**
 * The exit a caller sees when the supervisor stopped supervising a live run (`shutdown`
 * with `leave`): the process may still run; the next supervisor decides its fate.
 */
export function releasedExit(context: RunContext, at: number): RunExit {
  return {
    ...buildRunExit({ ...context, endReason: 'released', endedAt: at }),
    exitCode: null,
    signal: null,
  };
}

/** The reason a process's own exit gives: killed by a signal, or exited. */
export function reasonForExit(signal: NodeJS.Signals | null): ExitReason {
  return signal === null ? 'exit' : 'signal';
}

/** How a run left its supervisor: reported by its terminal states with `RUN_ENDED`. */
export interface RunOutput {
  readonly runId: string;
  /** `done`: it ended; `released`: handed on alive; `refused`: it never had a record. */
  readonly outcome: 'done' | 'released' | 'refused';
  readonly exit: NonNullable<RunContext['exit']>;
}

// The run's terminal states. They are not XState final states: a final child sends its parent
// `xstate.done.actor.<id>`, an event type new for every run, and xstate memoizes transition
// candidates per event type on the parent's state nodes forever (heap grew per run).
const terminalStates: ReadonlySet<string> = new Set<RunOutput['outcome']>([
  'done',
  'released',
  'refused',
]);

/** Whether a run state is terminal (the run takes no event any more). */
export function isTerminalRunState(value: unknown): value is RunOutput['outcome'] {
  return typeof value === 'string' && terminalStates.has(value);
}

/** The output of a run in a terminal state (what it reports); null while it goes on. */
export function runOutputOf(snapshot: {
  readonly value: unknown;
  readonly context: RunContext;
}): RunOutput | null {
  const { value, context } = snapshot;
  if (!isTerminalRunState(value)) return null;
  return { runId: context.runId, outcome: value, exit: exitOf(context) };
}

/** What a run reports to its parent when it reaches a terminal state. */
export interface RunEndedEvent {
  readonly type: 'RUN_ENDED';
  readonly output: RunOutput;
}

/** The `RUN_ENDED` of a run entering the terminal state `outcome`. */
export function runEnded(context: RunContext, outcome: RunOutput['outcome']): RunEndedEvent {
  return { type: 'RUN_ENDED', output: { runId: context.runId, outcome, exit: exitOf(context) } };
}

function exitOf(context: RunContext): RunExit {
  return context.exit ?? buildRunExit(context);
}

/** The message of a thrown value, for a recorded error. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
