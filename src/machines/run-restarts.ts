// Restart policy, as pure functions of a run's context: whether an ended generation is
// started again, whether the restart intensity allows it, and when.
import type { ExitReason } from '../types.js';
import type { RunContext } from './run-context.js';

// Ends a restart policy never answers: someone (a caller, a replacer, a shutdown, an
// owner-gone reconcile, a `leave`) meant the run to stop.
const DELIBERATE: ReadonlySet<ExitReason> = new Set([
  'cancelled',
  'replaced',
  'shutdown',
  'owner-gone',
  'released',
  'restart-limit',
]);

// Ends `on-failure` restarts after: the program failed where runwarden saw it fail. Not
// `orphan-killed` (runwarden's own orphan policy ended it) nor `lost` (it died while no
// supervisor watched: nobody knows whether it failed), and not an exit whose code is
// unknown: starting a job that may have finished would run it twice.
const FAILURES: ReadonlySet<ExitReason> = new Set([
  'signal',
  'timeout',
  'no-output-timeout',
  'spawn-error',
]);

/** The run's policy asks for another generation after the way this one ended. */
export function restartWanted(context: RunContext): boolean {
  const { restart } = context.descriptor;
  const reason = context.endReason;
  if (restart === 'never' || reason === null || DELIBERATE.has(reason)) return false;
  if (context.stopReason !== null) return false;
  // One generation alive at a time: a tree not verified dead is never started again.
  const termination = context.termination;
  if (termination !== null && (termination.survivors.length > 0 || termination.error !== null))
    return false;
  if (restart === 'always') return true;
  if (FAILURES.has(reason)) return true;
  const code = context.processExit?.exitCode ?? null;
  return reason === 'exit' && code !== null && code !== 0;
}

/**
 * When the generation ended: its end, or else its start, or else when it began (a
 * generation whose write-ahead or launch failed has neither a start nor an end time).
 */
export function generationEndedAt(context: RunContext): number {
  return context.endedAt ?? context.startedAt ?? context.restartedAt.at(-1) ?? context.createdAt;
}

/** Restarts within the window ending at `now`, oldest first. */
export function recentRestarts(context: RunContext, now: number): number[] {
  return context.restartedAt.filter((at) => at > now - context.descriptor.restartWindowMs);
}

/** Another restart stays within `maxRestarts` per `restartWindowMs` (OTP's intensity). */
export function withinRestartIntensity(context: RunContext): boolean {
  const now = generationEndedAt(context);
  return recentRestarts(context, now).length < context.descriptor.maxRestarts;
}

/**
 * Whether a live record a boot adopts and ends (`kill`, or `lost`) then waits to start
 * again: the run machine's own decision in `ending`, for a dry run, which starts none.
 */
export function restartsAfterAdoption(
  context: RunContext,
  decision: 'kill' | 'lost',
  at: number,
): boolean {
  const ended: RunContext =
    decision === 'kill'
      ? {
          ...context,
          endReason: context.endReason ?? 'orphan-killed',
          endedAt: Math.max(context.endedAt ?? 0, at),
          termination: { forced: false, survivors: [], error: null },
        }
      : { ...context, endReason: 'lost', endedAt: at };
  return restartWanted(ended) && withinRestartIntensity(ended);
}

/**
 * The delay before the next generation, and the backoff step it used. The delay doubles
 * with each quick failure up to `maxRestartDelayMs`; a generation that stayed up at least
 * that long starts the series again. Each delay is drawn between 80% and 100% of its
 * nominal value (runs that failed together do not restart together), from a hash of the run
 * id and generation: pure, so a replay computes the same time.
 */
export function restartDelay(context: RunContext): { delayMs: number; step: number } {
  const { restartDelayMs, maxRestartDelayMs } = context.descriptor;
  const endedAt = generationEndedAt(context);
  const upMs = endedAt - (context.startedAt ?? endedAt);
  const step = upMs >= maxRestartDelayMs ? 0 : context.backoffStep;
  const nominal = Math.min(maxRestartDelayMs, restartDelayMs * 2 ** Math.min(step, 40));
  const jitter = 0.8 + 0.2 * unitHash(`${context.runId}:${context.generation}`);
  return { delayMs: Math.round(nominal * jitter), step };
}

// FNV-1a over the string, scaled to [0, 1).
function unitHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
}

/**
 * Its group stopped this generation to restart it, and it may start again: its policy is
 * not `never` (OTP's temporary children are not restarted), no cancel came, and its tree is
 * verified dead.
 */
export function recycledForRestart(context: RunContext): boolean {
  if (!context.recycling || context.stopReason !== null) return false;
  if (context.descriptor.restart === 'never') return false;
  const termination = context.termination;
  return termination === null || (termination.survivors.length === 0 && termination.error === null);
}
