// The supervisor machine's context and the pure functions its actions compute with.
import type { ActorRefFrom, AnyActorRef } from 'xstate';
import type { GroupMember } from './group-context.js';
import type { runMachine } from './run-machine.js';

/** A live run of the tree, at any depth: its id and scope, in admission order. */
export interface LiveRun {
  readonly id: string;
  readonly scopeKey: string | null;
}

export interface SupervisorContext {
  /**
   * The live runs' child actors (each actor's id is its run id), oldest first: scope
   * replacement relies on creation order. An array, not a map by id: a supervisor adopting or
   * ending hundreds of runs at once copies it per event, and an array of references copies
   * in a blink where an object keyed by run id (dictionary mode once a key is deleted)
   * costs a microsecond per key (figure 4).
   */
  readonly runs: readonly RunActorRef[];
  /** Every live run of the tree (its own and its groups'), oldest first: admission, scopes. */
  readonly live: readonly LiveRun[];
  /** Its top-level groups' child actors, in start order. */
  readonly groups: readonly GroupMember[];
  /** Replacers waiting for their predecessors: replacer id -> predecessors not done yet. */
  readonly waiting: Readonly<Record<string, readonly string[]>>;
  /** Ids of the final records in the store this supervisor keeps, oldest first. */
  readonly finalRecords: readonly string[];
  readonly shutdownRuns: 'kill' | 'leave' | null;
  readonly createdAt: number;
  readonly maxLiveRuns: number;
  readonly maxFinalRecords: number;
}

/** A run actor as the supervisor holds it. */
export type RunActorRef = ActorRefFrom<typeof runMachine>;

/** Ids of the live runs of the whole tree, oldest first. */
export function liveRunsOf(context: SupervisorContext): string[] {
  return context.live.map((run) => run.id);
}

/** Whether `runId` is a live run of the tree. */
export function isLive(context: SupervisorContext, runId: string): boolean {
  for (let i = context.live.length - 1; i >= 0; i--) if (context.live[i]?.id === runId) return true;
  return false;
}

/** The top-level group on the way down to `path` (`a` for `a/b`), if it exists. */
export function topGroupToward(context: SupervisorContext, path: string): GroupMember | undefined {
  const top = path.split('/')[0];
  return context.groups.find((group) => group.id === top);
}

/** An actor of the tree by its id, at any depth (runs are registered by their id). */
export type FindActor = (systemId: string) => AnyActorRef | undefined;

/** The live run `runId`'s actor, if it is one of this supervisor's. */
export function runOf(context: SupervisorContext, runId: string): RunActorRef | undefined {
  // From the newest end: runs that end together mostly leave from there (termination-loop.ts).
  for (let i = context.runs.length - 1; i >= 0; i--) {
    const run = context.runs[i];
    if (run?.id === runId) return run;
  }
  return undefined;
}

/** Live runs of the same scope as `runId`, created before it (in any group). */
export function predecessorsOf(context: SupervisorContext, runId: string): string[] {
  const scopeKey = context.live.find((run) => run.id === runId)?.scopeKey ?? null;
  if (scopeKey === null) return [];
  const found: string[] = [];
  for (const run of context.live) {
    if (run.id === runId) break;
    if (run.scopeKey === scopeKey) found.push(run.id);
  }
  return found;
}

/** Runs of `scopeKey` other than `runId` that have no process yet (recording, replacing). */
export function pendingInScope(
  context: SupervisorContext,
  scopeKey: string | null,
  runId: string,
  find: FindActor,
): string[] {
  if (scopeKey === null) return [];
  const pending: string[] = [];
  for (const { id, scopeKey: scope } of context.live) {
    if (id === runId || scope !== scopeKey) continue;
    const snapshot = find(id)?.getSnapshot() as { value: unknown } | undefined;
    const value = snapshot?.value;
    if (value === 'recording' || value === 'replacing') pending.push(id);
  }
  return pending;
}

/** The context without `runId` (a run that left), waiting lists included. */
export function withoutRun(context: SupervisorContext, runId: string): SupervisorContext {
  const runs = context.runs.filter((run) => run.id !== runId);
  const live = context.live.filter((run) => run.id !== runId);
  const waiting: Record<string, readonly string[]> = {};
  for (const [replacer, left] of Object.entries(context.waiting)) {
    if (replacer !== runId) waiting[replacer] = left.filter((id) => id !== runId);
  }
  return { ...context, runs, live, waiting };
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
