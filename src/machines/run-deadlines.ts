// Pure deadline arithmetic. Deadlines are absolute epoch-ms values kept in context, so a
// restored run re-arms them instead of losing `after` delays (xstate#5331).
import type { RunDeadlines, RunDescriptor } from '../types.js';

/** No deadline at all. */
export const NO_DEADLINES: RunDeadlines = { timeoutAt: null, noOutputAt: null, idleAt: null };

/**
 * Deadlines of a run whose process started at `startedAt`. A durable run's timeout and
 * no-output timeout are enforced by its run host, which sees every byte even while no
 * supervisor is connected: the supervisor keeps only the idle clock for it.
 */
export function deadlinesAtStart(descriptor: RunDescriptor, startedAt: number): RunDeadlines {
  return {
    timeoutAt: descriptor.durable ? null : offset(startedAt, descriptor.timeoutMs),
    noOutputAt: descriptor.durable ? null : offset(startedAt, descriptor.noOutputTimeoutMs),
    idleAt: offset(startedAt, descriptor.idleAfterMs),
  };
}

/** Deadlines after output at `at`: the no-output and idle clocks restart, the timeout does not. */
export function deadlinesAfterOutput(
  descriptor: RunDescriptor,
  deadlines: RunDeadlines,
  at: number,
): RunDeadlines {
  return {
    timeoutAt: deadlines.timeoutAt,
    noOutputAt: descriptor.durable ? null : offset(at, descriptor.noOutputTimeoutMs),
    idleAt: offset(at, descriptor.idleAfterMs),
  };
}

/**
 * Deadlines of a reattached run. A plain run's output cannot be seen any more (the old
 * supervisor held the only handle), so output-based deadlines would fire on silence that is
 * not there: they are dropped. The overall timeout stays absolute (counted from the recorded
 * start, or from the reattach when no start was ever recorded). A durable run's output is
 * followed again from the host: its idle clock restarts at the reattach (`at`), and its
 * host keeps enforcing the rest.
 */
export function deadlinesOnReattach(
  descriptor: RunDescriptor,
  deadlines: RunDeadlines,
  startedAt: number,
  at: number,
): RunDeadlines {
  if (descriptor.durable) return { ...NO_DEADLINES, idleAt: offset(at, descriptor.idleAfterMs) };
  return {
    timeoutAt: deadlines.timeoutAt ?? offset(startedAt, descriptor.timeoutMs),
    noOutputAt: null,
    idleAt: null,
  };
}

/** The earliest deadline that can still fire, or null. `idleAt` is moot once idle. */
export function nextDeadline(deadlines: RunDeadlines, isIdle: boolean): number | null {
  const candidates = [deadlines.timeoutAt, deadlines.noOutputAt, isIdle ? null : deadlines.idleAt];
  let next: number | null = null;
  for (const at of candidates) {
    if (at !== null && (next === null || at < next)) next = at;
  }
  return next;
}

/** True when `at` is set and has passed. */
export function isDue(at: number | null, now: number): boolean {
  return at !== null && now >= at;
}

function offset(from: number, ms: number | null): number | null {
  return ms === null ? null : from + ms;
}
