// The group machine's context and the pure functions its actions compute with: who is
// stopped, in which order, who starts again, and whether the intensity allows a restart.
import type { AnyActorRef } from 'xstate';
import type { GroupSettings } from '../types.js';
import type { CancelReason } from '../types.js';

/** A child of a group, in start order: a run (its id) or a group (its path). */
export interface GroupMember {
  readonly kind: 'run' | 'group';
  readonly id: string;
  readonly ref: AnyActorRef;
}

/** What a group's record keeps of its state: enough to take it up again at boot. */
export type GroupRecordState = 'active' | 'stopping' | 'failed';

/** How the group stops the children on its stop list. */
export type StopWith = 'recycle' | 'cancel' | 'give-up';

export interface GroupContext {
  readonly path: string;
  readonly settings: GroupSettings;
  readonly createdAt: number;
  /** Whether the group was rebuilt from its record (it writes no record first). */
  readonly origin: 'spawn' | 'record';
  /** The recorded state it was rebuilt in (a boot takes up a stop where it was left). */
  readonly restoredState: GroupRecordState | null;
  readonly children: readonly GroupMember[];
  /** When each restart of the current window began, oldest first (the intensity). */
  readonly restartedAt: readonly number[];
  readonly restarts: number;
  /** One for one: children waiting to start again at `at` (the group's timer). */
  readonly held: readonly { readonly id: string; readonly at: number }[];
  /**
   * Every child that reported it stopped and waits for this group (`CHILD_HELD`), and has
   * not been sent `RESUME` since: known from the children's own reports.
   */
  readonly waiting: readonly string[];
  /** Children still to stop, the next first (reverse start order). */
  readonly toStop: readonly string[];
  /** Children still to start again, the next first (start order). */
  readonly toResume: readonly string[];
  /** The child being stopped or started now, waited for before the next. */
  readonly current: string | null;
  readonly stopWith: StopWith;
  readonly cancelReason: CancelReason;
  /** When a one-for-all or rest-for-one restart starts its children again. */
  readonly resumeAt: number | null;
  /** When the stop under way was asked for (each child's stop carries it). */
  readonly stopAt: number | null;
  /** When the failure past its intensity happened (its parent counts it then). */
  readonly failedAt: number | null;
  /** Rebuilt at boot: its children's ids in their recorded start order. */
  readonly order: readonly string[];
  /** Its parent started it again (RESUME): it reports CHILD_STARTED once its children run. */
  readonly owesStart: boolean;
}

/** Input of a group machine: a new group, or one rebuilt from its record. */
export interface GroupInput {
  readonly path: string;
  readonly settings: GroupSettings;
  readonly createdAt: number;
  readonly restored?: GroupHistory;
}

/** What a group's record keeps of it besides its options: a boot rebuilds it from this. */
export interface GroupHistory {
  readonly restartedAt: readonly number[];
  readonly restarts: number;
  readonly state: GroupRecordState;
  /** Its children's ids (runs) and paths (groups), in start order. */
  readonly children: readonly string[];
  /** Why its subtree is being stopped (meaningful in `stopping`). */
  readonly cancelReason: CancelReason;
}

/** The history of a group a live run names but no record describes (it was lost). */
export const UNRECORDED_GROUP: GroupHistory = {
  restartedAt: [],
  restarts: 0,
  state: 'active',
  children: [],
  cancelReason: 'cancelled',
};

export function initialGroupContext(input: GroupInput): GroupContext {
  return {
    path: input.path,
    settings: input.settings,
    createdAt: input.createdAt,
    origin: input.restored === undefined ? 'spawn' : 'record',
    restoredState: input.restored?.state ?? null,
    children: [],
    restartedAt: input.restored?.restartedAt ?? [],
    restarts: input.restored?.restarts ?? 0,
    held: [],
    waiting: [],
    toStop: [],
    toResume: [],
    current: null,
    stopWith: 'cancel',
    cancelReason: input.restored?.cancelReason ?? 'cancelled',
    resumeAt: null,
    stopAt: null,
    failedAt: null,
    order: input.restored?.children ?? [],
    owesStart: false,
  };
}

/** The actor systemId of the group at `path` (run ids cannot contain ':'). */
export function groupSystemId(path: string): string {
  return `group:${path}`;
}

/** The path of the group that holds `path`, or null for a top-level group. */
export function parentPathOf(path: string): string | null {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? null : path.slice(0, slash);
}

/** The child group of `context` on the way down to `path`, if there is one. */
export function childGroupToward(context: GroupContext, path: string): GroupMember | undefined {
  return context.children.find(
    (child) => child.kind === 'group' && (path === child.id || path.startsWith(`${child.id}/`)),
  );
}

/** The member `id`, if it is still a child. */
export function memberOf(context: GroupContext, id: string): GroupMember | undefined {
  return context.children.find((child) => child.id === id);
}

/** The context without the child `id` (it ended for good). */
export function withoutMember(context: GroupContext, id: string): Partial<GroupContext> {
  return {
    children: context.children.filter((child) => child.id !== id),
    held: context.held.filter((entry) => entry.id !== id),
    waiting: context.waiting.filter((other) => other !== id),
    toStop: context.toStop.filter((other) => other !== id),
    toResume: context.toResume.filter((other) => other !== id),
    current: context.current === id ? null : context.current,
  };
}

/** Restarts within the window ending at `now`. */
export function recentGroupRestarts(context: GroupContext, now: number): number[] {
  return context.restartedAt.filter((at) => at > now - context.settings.restartWindowMs);
}

/** Another restart at `now` would be more than `maxRestarts` within the window. */
export function exceedsIntensity(context: GroupContext, now: number): boolean {
  return recentGroupRestarts(context, now).length >= context.settings.maxRestarts;
}

/** One restart more at `now`. */
export function countRestart(context: GroupContext, now: number): Partial<GroupContext> {
  return {
    restartedAt: [...recentGroupRestarts(context, now), now],
    restarts: context.restarts + 1,
  };
}

/** Which children a restart for `failedId` affects, in start order (the failed one first). */
export function affectedBy(context: GroupContext, failedId: string): string[] {
  const ids = context.children.map((child) => child.id);
  if (context.settings.strategy === 'one-for-one') return [failedId];
  if (context.settings.strategy === 'one-for-all') return ids;
  const index = ids.indexOf(failedId);
  return index < 0 ? [failedId] : ids.slice(index);
}

/**
 * A one-for-all or rest-for-one restart for `failedId`, due at `at`: the affected children
 * still running are stopped from the last started back, then all of them start again in
 * start order. A restart already under way takes in the new ones.
 */
export function planRestart(
  context: GroupContext,
  failedId: string,
  at: number,
): Partial<GroupContext> {
  const affected = affectedBy(context, failedId);
  const waiting = new Set(context.waiting);
  const resume = new Set([...context.toResume, ...affected]);
  return {
    toStop: unique([
      ...context.toStop,
      ...[...affected].reverse().filter((id) => id !== failedId && !waiting.has(id)),
    ]),
    toResume: context.children.map((child) => child.id).filter((id) => resume.has(id)),
    held: context.held.filter((entry) => !resume.has(entry.id)),
    resumeAt: Math.max(context.resumeAt ?? 0, at),
    stopWith: 'recycle',
  };
}

/** Every child, last started first, is stopped `how`; those waiting are not stopped twice. */
export function planStopAll(context: GroupContext, how: StopWith): Partial<GroupContext> {
  const waiting = new Set(context.waiting);
  const ids = context.children.map((child) => child.id).reverse();
  return {
    toStop: how === 'recycle' ? ids.filter((id) => !waiting.has(id)) : ids,
    stopWith: how,
  };
}

/** Its children back in their recorded start order (those the record does not name last). */
export function inRecordedOrder(context: GroupContext): readonly GroupMember[] {
  const rank = new Map(context.order.map((id, index) => [id, index]));
  const last = context.order.length;
  return [...context.children].sort((a, b) => (rank.get(a.id) ?? last) - (rank.get(b.id) ?? last));
}

/**
 * A restart found under way at boot (held runs of a one-for-all or rest-for-one group): the
 * affected children still running stop first (last started first), then all of them start
 * again in start order once the latest held one is due.
 */
export function planRestoredRestart(context: GroupContext): Partial<GroupContext> {
  const ids = context.children.map((child) => child.id);
  const waiting = new Set(context.waiting);
  const first = ids.findIndex((id) => waiting.has(id));
  const affected = context.settings.strategy === 'rest-for-one' ? ids.slice(first) : ids;
  return {
    toStop: [...affected].reverse().filter((id) => !waiting.has(id)),
    toResume: affected,
    resumeAt: Math.max(...context.held.map((entry) => entry.at)),
    held: [],
    stopWith: 'recycle',
  };
}

/** Whether the child `id` waits for this group (it said so, and was not resumed since). */
export function isWaiting(context: GroupContext, id: string): boolean {
  return context.waiting.includes(id);
}

/** The earliest time a one-for-one held child is due, or null. */
export function nextResumeAt(context: GroupContext): number | null {
  let earliest: number | null = null;
  for (const entry of context.held)
    if (earliest === null || entry.at < earliest) earliest = entry.at;
  return earliest;
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}
