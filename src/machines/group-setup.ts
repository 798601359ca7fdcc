// The group machine's setup: its types, effects (provided by the runtime), named actions and
// guards. The chart itself is in group-machine.ts.
import { assertEvent, assign, enqueueActions, fromCallback, setup } from 'xstate';
import {
  childGroupToward,
  countRestart,
  groupSystemId,
  inRecordedOrder,
  memberOf,
  parentPathOf,
  planRestart,
  planRestoredRestart,
  planStopAll,
  withoutMember,
  type GroupContext,
  type GroupInput,
} from './group-context.js';
import { groupEffects } from './group-effects.js';
import type { GroupEvent, HeldCause } from './group-events.js';
import { childOf, groupGuards } from './group-guards.js';
import { nextResume, nextStop } from './group-loops.js';
import { failedRunEnd, forward, member, routeDown, takeStep } from './group-routing.js';
import { runMachine } from './run-machine.js';

/** Whether an event for `path` is for this group itself (not one below it). */
const forSelf = (context: GroupContext, path: string) => path === context.path;

export const groupSetup = setup({
  types: {
    context: {} as GroupContext,
    events: {} as GroupEvent,
    input: {} as GroupInput,
  },
  actors: {
    ...groupEffects,
    run: runMachine,
    // Nested groups are this machine itself: `nestableGroupMachine()` provides it.
    group: fromCallback<GroupEvent, GroupInput>(() => undefined),
  },
  actions: {
    /** Starts a run here (and says so), or passes the spawn down toward its group. */
    acceptChild: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'SPAWN_CHILD');
      if (!forSelf(context, event.path)) {
        forward(enqueue, routeDown(context, event.path, event));
        return;
      }
      const { runId, descriptor, createdAt } = event;
      const input = { runId, descriptor, createdAt };
      enqueue.assign({
        children: ({ context: now, spawn }) => [
          ...now.children,
          member('run', runId, spawn('run', { id: runId, systemId: runId, input })),
        ],
      });
      enqueue.sendParent({ type: 'SPAWN_ADMITTED', runId });
    }),
    /** A group that is stopping (or failed) takes no run; one below may. */
    refuseChild: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'SPAWN_CHILD');
      if (forSelf(context, event.path))
        enqueue.sendParent({ type: 'SPAWN_REFUSED', runId: event.runId });
      else forward(enqueue, routeDown(context, event.path, event));
    }),
    /** Creates a child group here, or passes the request down toward its parent. */
    addGroup: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'ADD_GROUP');
      if (!forSelf(context, parentPathOf(event.path) ?? '')) {
        forward(enqueue, routeDown(context, event.path, event));
        return;
      }
      const { path, settings, createdAt, restored } = event;
      // Asked twice before the first was answered: the group exists, nothing more to do.
      if (memberOf(context, path) !== undefined) return;
      const input: GroupInput = { path, settings, createdAt, ...(restored ? { restored } : {}) };
      enqueue.assign({
        children: ({ context: now, spawn }) => [
          ...now.children,
          member(
            'group',
            path,
            spawn('group', { id: groupSystemId(path), systemId: groupSystemId(path), input }),
          ),
        ],
      });
    }),
    /** A group that is stopping creates no group; one below may. */
    refuseGroup: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'ADD_GROUP');
      if (forSelf(context, parentPathOf(event.path) ?? ''))
        enqueue.sendParent({ type: 'GROUP_REFUSED', path: event.path });
      else forward(enqueue, routeDown(context, event.path, event));
    }),
    /** Adopts a recorded run of this group (boot), or passes it down toward its group. */
    adoptRun: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'ADOPT_RUN');
      // Boot rebuilt its group first; were it missing, the nearest group adopts it: a
      // record is never dropped (its run would be neither decided nor listed).
      const below = forSelf(context, event.path)
        ? undefined
        : childGroupToward(context, event.path);
      if (below !== undefined) {
        enqueue.sendTo(below.ref, event);
        return;
      }
      const runId = event.record.runId;
      enqueue.assign({
        children: ({ context: now, spawn }) => [
          ...now.children,
          member(
            'run',
            runId,
            spawn('run', { id: runId, systemId: runId, input: { record: event.record } }),
          ),
        ],
      });
      const { facts, root, at, error } = event;
      enqueue.sendTo(runId, { type: 'ADOPT', facts, root, at, ...(error ? { error } : {}) });
    }),
    /** A run of this group ended for good: it leaves, and the supervisor is told. */
    removeRun: enqueueActions(({ context, event, enqueue }) => {
      const ended =
        event.type === 'RUN_ENDED'
          ? event
          : failedRunEnd(context, event.type, (event as { error?: unknown }).error);
      if (ended === null) return;
      // A run of a group below: its end only passes through, up to the supervisor.
      if (memberOf(context, ended.output.runId) !== undefined) {
        enqueue.stopChild(ended.output.runId);
        enqueue.assign(withoutMember(context, ended.output.runId));
      }
      enqueue.sendParent(ended);
    }),
    /** A child group ended its subtree: it leaves. */
    removeGroup: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'GROUP_ENDED');
      if (memberOf(context, event.id) === undefined) return;
      enqueue.stopChild(groupSystemId(event.id));
      enqueue.assign(withoutMember(context, event.id));
    }),
    /** A cancel for this group becomes its own CANCEL; one for a group below goes down. */
    routeCancel: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'CANCEL_GROUP');
      const { path, reason, at } = event;
      if (forSelf(context, path)) {
        enqueue.raise({ type: 'CANCEL', reason, at });
        return;
      }
      const child = childGroupToward(context, path);
      if (child !== undefined) enqueue.sendTo(child.ref, event);
    }),
    /** Scope replacement is the supervisor's: the request goes up. */
    passUp: enqueueActions(({ event, enqueue }) => {
      enqueue.sendParent(event);
    }),
    holdChild: assign(({ context, event }) => {
      assertEvent(event, 'CHILD_HELD');
      const held = context.held.filter((entry) => entry.id !== event.id);
      const waiting = context.waiting.filter((id) => id !== event.id);
      return { held: [...held, { id: event.id, at: event.at }], waiting: [...waiting, event.id] };
    }),
    countRestart: assign(({ context, event }) => {
      assertEvent(event, 'CHILD_HELD');
      return countRestart(context, event.endedAt);
    }),
    planRestart: assign(({ context, event }) => {
      assertEvent(event, 'CHILD_HELD');
      return planRestart(context, event.id, event.at);
    }),
    dropCurrent: assign({ current: null }),
    /** Held one-for-one children due now start again, in start order. */
    resumeDue: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, 'RESUME_DUE');
      const due = new Set(context.held.filter((entry) => entry.at <= event.now).map((e) => e.id));
      for (const child of context.children) {
        if (due.has(child.id)) enqueue.sendTo(child.ref, { type: 'RESUME', now: event.now });
      }
      enqueue.assign({
        held: context.held.filter((entry) => !due.has(entry.id)),
        waiting: context.waiting.filter((id) => !due.has(id)),
      });
    }),
    planStopAll: assign(({ context }, params: { how: 'recycle' | 'cancel' | 'give-up' }) =>
      planStopAll(context, params.how),
    ),
    recordCancel: assign(({ context, event }) => ({
      cancelReason: event.type === 'CANCEL' ? event.reason : context.cancelReason,
      stopAt: event.type === 'CANCEL' ? (event.at ?? context.stopAt) : context.stopAt,
    })),
    recordGiveUp: assign(({ event }) => {
      assertEvent(event, 'GIVE_UP');
      return { stopAt: event.at };
    }),
    /** The failure past the intensity: its parent counts it at this time. */
    noteFailure: assign(({ event }) => {
      assertEvent(event, 'CHILD_HELD');
      return { failedAt: event.endedAt };
    }),
    /** The child a report is about is waited on no more (if it was the one). */
    dropIfCurrent: assign(({ context, event }) => ({
      current: childOf(event) === context.current ? null : context.current,
    })),
    restoreOrder: assign(({ context }) => ({ children: inRecordedOrder(context), order: [] })),
    planRestoredRestart: assign(({ context }) => planRestoredRestart(context)),
    /** Every held child starts again (a RESUME from the parent), in start order. */
    planResumeAll: assign(({ context, event }, params: { fresh: boolean }) => {
      assertEvent(event, 'RESUME');
      return {
        toResume: context.children.map((child) => child.id),
        held: [],
        resumeAt: event.now,
        owesStart: true,
        // Restarted by its parent after it failed: a fresh history, as OTP starts it anew.
        ...(params.fresh ? { restartedAt: [] } : {}),
      };
    }),
    /** Stops the next child on the stop list (one at a time: each verified before the next). */
    stopNext: enqueueActions(({ context, enqueue }) => {
      takeStep(enqueue, nextStop(context));
    }),
    /** Starts the next waiting child on the resume list again (one at a time, start order). */
    resumeNext: enqueueActions(({ context, enqueue }) => {
      takeStep(enqueue, nextResume(context));
    }),
    /** Held runs found at boot start again together, when the last of them is due. */
    clearRestart: assign({ resumeAt: null, toResume: [], toStop: [] }),
    /** A `leave` shutdown: every child is released at once (no signal, nothing to order). */
    releaseAll: enqueueActions(({ context, event, enqueue }) => {
      const at = event.type === 'RELEASE' && event.at !== undefined ? { at: event.at } : {};
      for (const child of context.children) enqueue.sendTo(child.ref, { type: 'RELEASE', ...at });
    }),
    /** Passes the end of the boot down: restored groups take up where they were. */
    passAdopted: enqueueActions(({ context, enqueue }) => {
      for (const child of context.children)
        if (child.kind === 'group') enqueue.sendTo(child.ref, { type: 'ADOPTED' });
    }),
    reportHeld: enqueueActions(({ context, self, enqueue }, params: { cause: HeldCause }) => {
      // Stopped again before it had started: this report answers its parent's resume.
      enqueue.assign({ owesStart: false });
      if (self._parent === undefined) return;
      const at = context.failedAt ?? context.restartedAt.at(-1) ?? context.createdAt;
      enqueue.sendParent({
        type: 'CHILD_HELD',
        id: context.path,
        cause: params.cause,
        at,
        endedAt: at,
      });
    }),
    /** Started again by its parent (RESUME), its children run: it says so, once. */
    reportStarted: enqueueActions(({ context, self, enqueue }) => {
      if (!context.owesStart) return;
      enqueue.assign({ owesStart: false });
      if (self._parent !== undefined)
        enqueue.sendParent({ type: 'CHILD_STARTED', id: context.path });
    }),
    reportEnded: enqueueActions(({ context, self, enqueue }) => {
      if (self._parent !== undefined) enqueue.sendParent({ type: 'GROUP_ENDED', id: context.path });
    }),
  },
  guards: groupGuards,
});
