// The supervisor machine's context and the pure functions its actions compute with.
import type { ActorRefFrom } from 'xstate';
import type { runMachine } from './run-machine.js';

export interface SupervisorContext {
  /** The live runs: child actors, by run id. */
  readonly runs: Readonly<Record<string, ActorRefFrom<typeof runMachine>>>;
  /** Ids of the live runs in creation order (scope replacement relies on it). */
  readonly order: readonly string[];
  /** Replacers waiting for their predecessors: replacer id -> predecessors not done yet. */
  readonly waiting: Readonly<Record<string, readonly string[]>>;
  /** Ids of the final records in the store this supervisor keeps, oldest first. */
  readonly finalRecords: readonly string[];
  readonly shutdownRuns: 'kill' | 'leave' | null;
  readonly createdAt: number;
  readonly maxLiveRuns: number;
  readonly maxFinalRecords: number;
}

/** Ids of the live runs, oldest first. */
export function liveRunsOf(context: SupervisorContext): readonly string[] {
  return context.order;
}

/** Live runs of the same scope as `runId`, created before it. */
export function predecessorsOf(context: SupervisorContext, runId: string): string[] {
  const scopeKey = context.runs[runId]?.getSnapshot().context.descriptor.scopeKey ?? null;
  if (scopeKey === null) return [];
  const found: string[] = [];
  for (const id of context.order) {
    if (id === runId) break;
    if (context.runs[id]?.getSnapshot().context.descriptor.scopeKey === scopeKey) found.push(id);
  }
  return found;
}

/** Runs of `scopeKey` other than `runId` that have no process yet (recording, replacing). */
export function pendingInScope(
  context: SupervisorContext,
  scopeKey: string | null,
  runId: string,
): string[] {
  if (scopeKey === null) return [];
  return context.order.filter((id) => {
    const run = context.runs[id]?.getSnapshot();
    if (id === runId || run?.context.descriptor.scopeKey !== scopeKey) return false;
    return run.value === 'recording' || run.value === 'replacing';
  });
}

/** The context without `runId` (a run that left), waiting lists included. */
export function withoutRun(context: SupervisorContext, runId: string): SupervisorContext {
  const runs = Object.fromEntries(Object.entries(context.runs).filter(([id]) => id !== runId));
  const waiting: Record<string, readonly string[]> = {};
  for (const [replacer, left] of Object.entries(context.waiting)) {
    if (replacer !== runId) waiting[replacer] = left.filter((id) => id !== runId);
  }
  return { ...context, runs, order: context.order.filter((id) => id !== runId), waiting };
}

/** Adds a final record; returns the ids now beyond retention (oldest first) and the rest. */
export function expireFinalRecords(
  context: SupervisorContext,
  runId: string,
): { finalRecords: string[]; expired: string[] } {
  const all = [...context.finalRecords, runId];
  const excess = Math.max(0, all.length - context.maxFinalRecords);
  return { finalRecords: all.slice(excess), expired: all.slice(0, excess) };
}
