// How a group routes what is not for itself: events for a group below go down, answers go
// up; and what a run child that failed leaves behind.
import type { AnyActorRef } from 'xstate';
import {
  childGroupToward,
  memberOf,
  type GroupContext,
  type GroupMember,
} from './group-context.js';
import type { GroupEvent } from './group-events.js';
import type { LoopStep } from './group-loops.js';
import { buildRunExit, messageOf, type RunContext } from './run-context.js';

// A child run that failed (an action or guard threw): it leaves with its end unknown.
export function failedRunEnd(context: GroupContext, type: string, error: unknown) {
  const runId = type.slice('xstate.error.actor.'.length);
  const member = memberOf(context, runId);
  if (member?.kind !== 'run') return null;
  const run = (member.ref.getSnapshot() as { context: RunContext }).context;
  const failure = { code: 'E_MACHINE', message: messageOf(error) };
  const exit = buildRunExit({ ...run, endReason: run.endReason ?? 'lost', error: failure });
  return { type: 'RUN_ENDED' as const, output: { runId, outcome: 'done' as const, exit } };
}

export function member(kind: GroupMember['kind'], id: string, ref: AnyActorRef): GroupMember {
  return { kind, id, ref };
}

// An event for a group below this one goes to the child group on the way to it. No group
// there (it ended meanwhile): a spawn or a new group is refused, so every caller is answered.
export function routeDown(
  context: GroupContext,
  path: string,
  event: GroupEvent,
): { to: AnyActorRef; event: GroupEvent } | { up: GroupEvent } | null {
  const child = childGroupToward(context, path);
  if (child !== undefined) return { to: child.ref, event };
  if (event.type === 'SPAWN_CHILD') return { up: { type: 'SPAWN_REFUSED', runId: event.runId } };
  if (event.type === 'ADD_GROUP') return { up: { type: 'GROUP_REFUSED', path: event.path } };
  return null;
}

/** What a group's actions send with: the part of `enqueue` routing needs. */
export interface Sender {
  sendTo(to: AnyActorRef, event: GroupEvent): void;
  sendParent(event: GroupEvent): void;
  assign(change: Partial<GroupContext>): void;
}

/** Sends a routed event on its way (down to a child group, or up as an answer). */
export function forward(enqueue: Sender, route: ReturnType<typeof routeDown>): void {
  if (route !== null && 'to' in route) enqueue.sendTo(route.to, route.event);
  else if (route !== null) enqueue.sendParent(route.up);
}

/** Takes one step of a stop or resume loop: its context change, then its event. */
export function takeStep(enqueue: Sender, step: LoopStep | null): void {
  if (step === null) return;
  enqueue.assign(step.change);
  if (step.send !== undefined) enqueue.sendTo(step.send.to, step.send.event);
}
