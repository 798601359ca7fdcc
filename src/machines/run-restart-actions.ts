// What the run machine's restart transitions change in its context: pure functions from the
// context (and the event's time) to the fields they set.
import { NO_PROCESS_YET, type RunContext } from './run-context.js';
import { generationEndedAt, recentRestarts, restartDelay } from './run-restarts.js';

type Change = Partial<RunContext>;

/**
 * A generation ended and another is due: when it starts, and the backoff step it used.
 * The generation's end stays readable (`generationEnd`, its exit code and termination);
 * `endReason` and `endedAt` are cleared, so a cancel while waiting is recorded as such.
 */
export function scheduleRestart(context: RunContext): Change {
  const endedAt = generationEndedAt(context);
  const { delayMs, step } = restartDelay(context);
  return {
    nextStartAt: endedAt + delayMs,
    backoffStep: step + 1,
    generationEnd: context.endReason,
    endReason: null,
    endedAt: null,
  };
}

/**
 * Its group stopped the generation to start it again: it waits for the group (no delay of
 * its own, no restart counted against its own intensity: the group counts its restarts).
 */
export function holdRecycled(context: RunContext): Change {
  return {
    nextStartAt: generationEndedAt(context),
    generationEnd: context.endReason,
    endReason: null,
    endedAt: null,
  };
}

/** The restart intensity is spent: the run ends for good with the last generation's details. */
export function limitRestarts(context: RunContext): Change {
  return { generationEnd: context.endReason, endReason: 'restart-limit' };
}

/**
 * The next generation begins at `at`: a fresh process (its own write-ahead, identity and
 * deadlines), the same run id, output offsets going on from the last generation's.
 */
export function beginGeneration(context: RunContext, at: number): Change {
  return {
    origin: 'spawn',
    generation: context.generation + 1,
    restarts: context.restarts + 1,
    restartedAt: [...recentRestarts(context, at), at],
    nextStartAt: null,
    // Its no-output deadline counts from its own start (`lastOutputAt` is of this generation).
    ...NO_PROCESS_YET,
  };
}
