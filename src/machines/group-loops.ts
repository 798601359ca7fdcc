// The group's two loops, one child at a time: which child to stop next (last started first)
// and which to start again next (in start order). Pure: each returns the context change and
// the event to send, or only the change when the loop has nothing left to do.
import type { AnyActorRef } from 'xstate';
import { isWaiting, memberOf, type GroupContext, type GroupMember } from './group-context.js';
import type { GroupEvent } from './group-events.js';

export interface LoopStep {
  readonly change: Partial<GroupContext>;
  readonly send?: { readonly to: AnyActorRef; readonly event: GroupEvent };
}

/** The next child on the stop list, and how it is stopped (`stopWith`). */
export function nextStop(context: GroupContext): LoopStep | null {
  if (context.current !== null) return null;
  // A recycle passes over a child already waiting (held): it is stopped already.
  const index = context.toStop.findIndex(
    (id) =>
      memberOf(context, id) !== undefined &&
      !(context.stopWith === 'recycle' && isWaiting(context, id)),
  );
  if (index < 0) return { change: { toStop: [] } };
  const id = context.toStop[index] as string;
  const child = memberOf(context, id) as GroupMember;
  const at = context.stopAt === null ? {} : { at: context.stopAt };
  const change = { current: id, toStop: context.toStop.slice(index + 1) };
  if (context.stopWith === 'recycle')
    return { change, send: { to: child.ref, event: { type: 'RECYCLE', ...at } } };
  // Given up: a waiting child ends `restart-limit`; one still running is cancelled.
  if (context.stopWith === 'give-up' && isWaiting(context, id))
    return { change, send: { to: child.ref, event: { type: 'GIVE_UP', at: context.stopAt ?? 0 } } };
  const cancel = { type: 'CANCEL', reason: context.cancelReason, ...at } as const;
  return { change, send: { to: child.ref, event: cancel } };
}

/** The next waiting child on the resume list; one not waiting (never stopped) is passed over. */
export function nextResume(context: GroupContext): LoopStep | null {
  if (context.current !== null) return null;
  const index = context.toResume.findIndex(
    (id) => memberOf(context, id) !== undefined && isWaiting(context, id),
  );
  if (index < 0) return { change: { toResume: [] } };
  const id = context.toResume[index] as string;
  const child = memberOf(context, id) as GroupMember;
  return {
    change: {
      current: id,
      toResume: context.toResume.slice(index + 1),
      held: context.held.filter((entry) => entry.id !== id),
      waiting: context.waiting.filter((other) => other !== id),
    },
    send: { to: child.ref, event: { type: 'RESUME', now: context.resumeAt ?? 0 } },
  };
}
