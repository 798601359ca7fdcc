// The supervisor machine's setup: its types, effects (provided by the runtime), named
// actions and guards. The chart itself is in supervisor-machine.ts.
import { assign, emit, enqueueActions, setup, type AnyActorRef } from 'xstate';
import { groupSystemId, type GroupMember } from './group-context.js';
import { groupMachine } from './group-machine.js';
import { isTerminalRunState } from './run-context.js';
import { runMachine, type RunOutput } from './run-machine.js';
import { storeHealthMachine } from './store-health-machine.js';
import { supervisorEffects } from './supervisor-effects.js';
import {
  expireFinalRecords,
  isLive,
  pendingInScope,
  predecessorsOf,
  runOf,
  topGroupToward,
  withoutRun,
  type SupervisorContext,
} from './supervisor-context.js';

import {
  failedRunOutput,
  type SpawnRefusal,
  type SupervisorEvent,
  type SupervisorInput,
} from './supervisor-events.js';

export type { RunActorRef, SupervisorContext } from './supervisor-context.js';
export type {
  ShutdownRuns,
  SpawnRefusal,
  SupervisorEvent,
  SupervisorInput,
} from './supervisor-events.js';

export const supervisorSetup = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
    emitted: {} as
      | { type: 'runEnded'; output: RunOutput }
      | { type: 'runReplaced'; runId: string; by: string }
      | { type: 'recordsExpired'; runIds: readonly string[] }
      | { type: 'spawnAccepted'; runId: string }
      | { type: 'spawnRefused'; runId: string; reason: SpawnRefusal }
      | { type: 'groupRefused'; path: string; reason: 'not-serving' | 'no-parent' }
      | { type: 'bootFailed'; error: unknown },
  },
  actors: {
    run: runMachine,
    group: groupMachine,
    storeHealth: storeHealthMachine,
    ...supervisorEffects,
  },
  actions: {
    // Admitted: a run of no group becomes a child here; a run of a group is passed down to
    // its group, which answers (SPAWN_ADMITTED or SPAWN_REFUSED). Either way it counts now.
    spawnRun: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'SPAWN') return;
      const { runId, descriptor, createdAt } = event;
      const live = [...context.live, { id: runId, scopeKey: descriptor.scopeKey }];
      const path = descriptor.group;
      if (path === null) {
        enqueue.assign({
          live,
          runs: ({ spawn }) => [
            ...context.runs,
            spawn('run', { id: runId, systemId: runId, input: { runId, descriptor, createdAt } }),
          ],
        });
        enqueue.emit({ type: 'spawnAccepted', runId });
        return;
      }
      enqueue.assign({ live });
      const top = topGroupToward(context, path) as GroupMember;
      enqueue.sendTo(top.ref, { type: 'SPAWN_CHILD', path, runId, descriptor, createdAt });
    }),
    acceptGroupSpawn: emit(({ event }) => ({
      type: 'spawnAccepted' as const,
      runId: event.type === 'SPAWN_ADMITTED' ? event.runId : '',
    })),
    refuseGroupSpawn: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'SPAWN_REFUSED') return;
      enqueue.assign(withoutRun(context, event.runId));
      enqueue.emit({ type: 'spawnRefused', runId: event.runId, reason: 'group' });
    }),
    /** A top-level group becomes a child here; a nested one is passed down to its parent. */
    addGroup: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'ADD_GROUP') return;
      const { path, settings, createdAt, restored } = event;
      // Asked twice before the first was answered: the group exists, nothing more to do.
      if (context.groups.some((group) => group.id === path)) return;
      if (!path.includes('/')) {
        const input = { path, settings, createdAt, ...(restored ? { restored } : {}) };
        enqueue.assign({
          groups: ({ spawn }) => [
            ...context.groups,
            {
              kind: 'group' as const,
              id: path,
              ref: spawn('group', {
                id: groupSystemId(path),
                systemId: groupSystemId(path),
                input,
              }),
            },
          ],
        });
        return;
      }
      const top = topGroupToward(context, path);
      if (top === undefined) enqueue.emit({ type: 'groupRefused', path, reason: 'no-parent' });
      else enqueue.sendTo(top.ref, event);
    }),
    // Not serving (or its parent is stopping, or gone): every request is answered.
    refuseGroup: emit(({ event }, params: { reason: 'not-serving' | 'no-parent' }) => ({
      type: 'groupRefused' as const,
      path: event.type === 'GROUP_REFUSED' || event.type === 'ADD_GROUP' ? event.path : '',
      reason: params.reason,
    })),
    /** A cancel for a group goes down the tree to it. */
    cancelGroup: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CANCEL_GROUP') return;
      const top = topGroupToward(context, event.path);
      if (top === undefined) return;
      enqueue.sendTo(top.ref, event);
    }),
    removeGroup: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'GROUP_ENDED') return;
      enqueue.stopChild(groupSystemId(event.id));
      enqueue.assign({ groups: context.groups.filter((group) => group.id !== event.id) });
    }),
    // Nothing above the supervisor restarts what failed past its intensity: it ends.
    giveUp: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CHILD_HELD') return;
      const child =
        context.groups.find((group) => group.id === event.id)?.ref ?? runOf(context, event.id);
      if (child !== undefined) enqueue.sendTo(child, { type: 'GIVE_UP', at: event.endedAt });
    }),
    // The boot adopted every run: restored groups take up their recorded state.
    passAdopted: enqueueActions(({ context, enqueue }) => {
      for (const group of context.groups) enqueue.sendTo(group.ref, { type: 'ADOPTED' });
    }),
    // A newer replacer supersedes the scope's runs that have no process yet: they end now,
    // never launched, instead of starting only to be replaced.
    supersedePending: enqueueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'SPAWN' || !event.descriptor.replaceExistingScope) return;
      const find = (id: string) => system.get(id) as AnyActorRef | undefined;
      for (const id of pendingInScope(context, event.descriptor.scopeKey, event.runId, find)) {
        const run = find(id);
        if (run === undefined) continue;
        enqueue.emit({ type: 'runReplaced', runId: id, by: event.runId });
        enqueue.sendTo(run, { type: 'CANCEL', reason: 'replaced' });
      }
    }),
    adoptRun: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'ADOPT_RUN') return;
      const runId = event.record.runId;
      const live = [...context.live, { id: runId, scopeKey: event.record.descriptor.scopeKey }];
      const path = event.record.descriptor.group;
      const top = path === null ? undefined : topGroupToward(context, path);
      // Boot rebuilt every group a record names first: a run of a group joins it.
      if (path !== null && top !== undefined) {
        enqueue.assign({ live });
        enqueue.sendTo(top.ref, { ...event, path });
        return;
      }
      enqueue.assign({
        live,
        runs: ({ spawn }) => [
          ...context.runs,
          spawn('run', { id: runId, systemId: runId, input: { record: event.record } }),
        ],
      });
      const { facts, root, at } = event;
      enqueue.sendTo(runId, {
        type: 'ADOPT',
        facts,
        root,
        at,
        ...(event.error === undefined ? {} : { error: event.error }),
      });
    }),
    retainRecords: assign({
      finalRecords: ({ context, event }) =>
        // Older than any run that ended during this boot: they go first, to expire first.
        event.type === 'RETAIN_RECORDS'
          ? [...event.runIds, ...context.finalRecords]
          : context.finalRecords,
    }),
    // Cancels the scope's earlier live runs; the replacer goes on once they are all done.
    replacePredecessors: enqueueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'REPLACE_PREDECESSORS') return;
      const find = (id: string) => system.get(id) as AnyActorRef | undefined;
      const predecessors = predecessorsOf(context, event.runId).filter((id) => find(id));
      for (const id of predecessors) {
        enqueue.emit({ type: 'runReplaced', runId: id, by: event.runId });
        enqueue.sendTo(find(id) as AnyActorRef, { type: 'CANCEL', reason: 'replaced' });
      }
      const replacer = find(event.runId);
      if (replacer === undefined) return;
      if (predecessors.length === 0) enqueue.sendTo(replacer, { type: 'PREDECESSORS_DONE' });
      else enqueue.assign({ waiting: { ...context.waiting, [event.runId]: predecessors } });
    }),
    // A run left: forget it, release replacers it held up, and apply record retention.
    removeRun: enqueueActions(({ context, event, enqueue, system }) => {
      const output = event.type === 'RUN_ENDED' ? event.output : failedRunOutput(context, event);
      if (output === null) return;
      const { runId, outcome } = output;
      const next = withoutRun(context, runId);
      for (const [replacer, left] of Object.entries(next.waiting)) {
        // A replacer that ended meanwhile (its own RUN_ENDED is on its way) is not told.
        const ref = system.get(replacer) as AnyActorRef | undefined;
        const snapshot = ref?.getSnapshot() as { status: string; value: unknown } | undefined;
        const waiting = snapshot?.status === 'active' && !isTerminalRunState(snapshot.value);
        if (left.length === 0 && waiting && ref !== undefined)
          enqueue.sendTo(ref, { type: 'PREDECESSORS_DONE' });
      }
      const retention =
        outcome === 'done'
          ? expireFinalRecords(next, runId)
          : { finalRecords: next.finalRecords, expired: [] };
      enqueue.stopChild(runId);
      enqueue.assign({
        ...next,
        waiting: Object.fromEntries(
          Object.entries(next.waiting).filter(([, left]) => left.length > 0),
        ),
        finalRecords: retention.finalRecords,
      });
      // The runtime deletes them (queued; awaited before the store closes).
      if (retention.expired.length > 0)
        enqueue.emit({ type: 'recordsExpired', runIds: retention.expired });
      enqueue.emit({ type: 'runEnded', output });
    }),
    // Runs of no group end (or are released) at once; each group ends its own subtree.
    drainRuns: enqueueActions(({ context, event, enqueue }) => {
      const at = event.type === 'SHUTDOWN' ? { at: event.at } : {};
      const stop =
        context.shutdownRuns === 'leave'
          ? ({ type: 'RELEASE', ...at } as const)
          : ({ type: 'CANCEL', reason: 'shutdown', ...at } as const);
      for (const run of context.runs) enqueue.sendTo(run, stop);
      for (const group of context.groups) enqueue.sendTo(group.ref, stop);
    }),
    refuseSpawn: emit(({ event }, params: { reason: SpawnRefusal }) => ({
      type: 'spawnRefused' as const,
      runId: event.type === 'SPAWN' ? event.runId : '',
      reason: params.reason,
    })),
  },
  guards: {
    belowLiveLimit: ({ context }) => context.live.length < context.maxLiveRuns,
    /** The spawn names a group whose top-level group does not exist. */
    groupMissing: ({ context, event }) =>
      event.type === 'SPAWN' &&
      event.descriptor.group !== null &&
      topGroupToward(context, event.descriptor.group) === undefined,
    noLiveRuns: ({ context }) => context.live.length === 0 && context.groups.length === 0,
    /** The run that ended is a run of this tree (not one removed already). */
    isOwnRun: ({ context, event }) =>
      event.type === 'RUN_ENDED' && isLive(context, event.output.runId),
    /** A child past its intensity with nobody above it to restart it. */
    childFailed: ({ event }) => event.type === 'CHILD_HELD' && event.cause === 'failed',
    /** A run actor failed (an action or guard threw): it leaves, its end unknown. */
    isRunFailure: ({ context, event }) => failedRunOutput(context, event) !== null,
  },
});
