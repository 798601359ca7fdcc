// The group machine: a nested supervisor. Its children are runs and groups, in start order.
// It restarts failed runs by its strategy (one-for-one, one-for-all, rest-for-one) within
// its own intensity; past it, it stops its children (last started first) and escalates to
// its parent. Stops and restarts go one child at a time: each child's tree is verified dead
// (it reports held or ended) before the next is stopped. Pure data: the runtime provides the
// effects (its record, its timer).
import { initialGroupContext, nextResumeAt } from './group-context.js';
import { groupSetup } from './group-setup.js';
import type { runMachine } from './run-machine.js';

// Reports of the child being stopped or started now move the loop on to the next child. A
// loop entered while another was waiting on a child (a cancel during a restart's starts)
// takes that child's report too, and the child is on its own list if it must stop.
const loopReports = (self: string) =>
  ({
    CHILD_STARTED: { guard: 'isCurrent', target: self, reenter: true, actions: 'dropCurrent' },
    CHILD_HELD: {
      guard: 'isCurrent',
      target: self,
      reenter: true,
      actions: ['dropCurrent', 'holdChild'],
    },
    RUN_ENDED: {
      guard: 'isCurrent',
      target: self,
      reenter: true,
      actions: ['dropCurrent', 'removeRun'],
    },
    GROUP_ENDED: {
      guard: 'isCurrent',
      target: self,
      reenter: true,
      actions: ['dropCurrent', 'removeGroup'],
    },
    'xstate.error.actor.*': {
      guard: 'isCurrent',
      target: self,
      reenter: true,
      actions: ['dropCurrent', 'removeRun'],
    },
  }) as const;
// A child that fails while a restart (or a resume) is under way is counted, and taken into
// a restart of its own (the child being waited on, if it is that one, is waited on no more).
const pastIntensity = {
  guard: 'exceedsIntensity',
  target: '#group.failing',
  actions: ['dropIfCurrent', 'holdChild', 'noteFailure'],
} as const;
const restartAgain = {
  guard: 'childFailed',
  target: '#group.restarting',
  reenter: true,
  actions: ['dropIfCurrent', 'holdChild', 'countRestart', 'planRestart'],
} as const;
const stopAll = (how: 'recycle' | 'cancel' | 'give-up') =>
  ({ type: 'planStopAll', params: { how } }) as const;
// A stop of the whole subtree, from any state that still runs children.
const leaving = {
  CANCEL: { target: '#group.stopping', actions: 'recordCancel' },
  RECYCLE: '#group.recycling',
  RELEASE: '#group.releasing',
} as const;

export const groupMachine = groupSetup.createMachine({
  id: 'group',
  context: ({ input }) => initialGroupContext(input),
  initial: 'created',
  on: {
    // A group that is not running its children takes no new ones; one below it may.
    SPAWN_CHILD: { actions: 'refuseChild' },
    ADD_GROUP: { actions: 'refuseGroup' },
    ADOPT_RUN: { actions: 'adoptRun' },
    RUN_ENDED: { actions: 'removeRun' },
    'xstate.error.actor.*': { actions: 'removeRun' },
    GROUP_ENDED: { actions: 'removeGroup' },
    CHILD_HELD: { actions: 'holdChild' },
    CANCEL_GROUP: { actions: 'routeCancel' },
    REPLACE_PREDECESSORS: { actions: 'passUp' },
    SPAWN_ADMITTED: { actions: 'passUp' },
    SPAWN_REFUSED: { actions: 'passUp' },
    GROUP_REFUSED: { actions: 'passUp' },
  },
  states: {
    created: {
      always: [{ guard: 'restored', target: 'restoring' }, { target: 'recording' }],
    },
    // Its record is durable before its first child starts. It has no child yet: a stop
    // that comes meanwhile is done at once (a record that lands later is deleted after).
    recording: {
      invoke: {
        src: 'writeGroup',
        input: ({ context }) => ({ path: context.path }),
        onDone: 'active',
        onError: 'refused',
      },
      on: {
        CANCEL: { target: 'stopped', actions: 'recordCancel' },
        RECYCLE: 'held',
        RELEASE: 'released',
      },
    },
    // Rebuilt at boot: its runs are adopted (held ones report), then it takes up its
    // recorded state, its children back in their recorded start order.
    restoring: {
      on: {
        ADD_GROUP: { actions: 'addGroup' },
        ADOPTED: [
          {
            guard: 'restoredStopping',
            target: 'stopping',
            actions: ['restoreOrder', 'passAdopted'],
          },
          {
            guard: 'restoredFailed',
            target: 'failing',
            actions: ['restoreOrder', 'passAdopted'],
          },
          // A restart of the group was under way: it is carried out again from its start
          // (the affected runs still alive stop first), and its held runs start together.
          {
            guard: 'heldForGroupRestart',
            target: 'restarting',
            actions: ['restoreOrder', 'passAdopted', 'planRestoredRestart'],
          },
          { target: 'active', actions: ['restoreOrder', 'passAdopted'] },
        ],
        ...leaving,
      },
    },
    // Runs its children; one-for-one restarts are due when the timer says so.
    active: {
      invoke: {
        src: 'groupTimer',
        input: ({ context }) => ({ path: context.path, at: nextResumeAt(context) }),
      },
      on: {
        SPAWN_CHILD: { actions: 'acceptChild' },
        ADD_GROUP: { actions: 'addGroup' },
        CHILD_HELD: [
          { guard: 'notFailure', target: 'active', reenter: true, actions: 'holdChild' },
          pastIntensity,
          {
            guard: 'oneForOne',
            target: 'active',
            reenter: true,
            actions: ['countRestart', 'holdChild'],
          },
          { target: 'restarting', actions: ['holdChild', 'countRestart', 'planRestart'] },
        ],
        RESUME_DUE: { target: 'active', reenter: true, actions: 'resumeDue' },
        ...leaving,
      },
    },
    // One-for-all or rest-for-one: stop the affected children (last started first), wait
    // for the failed one's restart time, start them again (first started first).
    restarting: {
      initial: 'stopping',
      on: {
        SPAWN_CHILD: { actions: 'acceptChild' },
        ADD_GROUP: { actions: 'addGroup' },
        CHILD_HELD: [pastIntensity, restartAgain, { actions: 'holdChild' }],
        ...leaving,
      },
      states: {
        stopping: {
          entry: 'stopNext',
          always: { guard: 'stopsDone', target: 'waiting' },
          on: loopReports('stopping'),
        },
        waiting: {
          invoke: {
            src: 'groupTimer',
            input: ({ context }) => ({ path: context.path, at: context.resumeAt }),
          },
          on: {
            RESUME_DUE: [
              { guard: 'restartDue', target: 'resuming' },
              { target: 'waiting', reenter: true },
            ],
          },
        },
        resuming: {
          entry: 'resumeNext',
          always: {
            guard: 'resumesDone',
            target: '#group.active',
            actions: ['clearRestart', 'reportStarted'],
          },
          on: {
            ...loopReports('resuming'),
            // A child that fails as it starts again is a failure, not a report that it started.
            CHILD_HELD: [pastIntensity, restartAgain, loopReports('resuming').CHILD_HELD],
          },
        },
      },
    },
    // Past its intensity: every child stops (last started first), then the parent decides.
    failing: {
      entry: [stopAll('recycle'), 'stopNext'],
      always: { guard: 'stopsDone', target: 'failed' },
      on: { ...loopReports('failing'), CANCEL: leaving.CANCEL, RELEASE: leaving.RELEASE },
    },
    // Its parent restarts: every child stops (last started first) and waits for it.
    recycling: {
      entry: [stopAll('recycle'), 'stopNext'],
      always: { guard: 'stopsDone', target: 'held' },
      on: { ...loopReports('recycling'), CANCEL: leaving.CANCEL, RELEASE: leaving.RELEASE },
    },
    held: {
      entry: { type: 'reportHeld', params: { cause: 'stopped' } },
      on: {
        RESUME: {
          target: 'resumingAll',
          actions: { type: 'planResumeAll', params: { fresh: false } },
        },
        GIVE_UP: { target: 'givingUp', actions: 'recordGiveUp' },
        CANCEL: leaving.CANCEL,
        RELEASE: leaving.RELEASE,
      },
    },
    failed: {
      entry: { type: 'reportHeld', params: { cause: 'failed' } },
      on: {
        RESUME: {
          target: 'resumingAll',
          actions: { type: 'planResumeAll', params: { fresh: true } },
        },
        GIVE_UP: { target: 'givingUp', actions: 'recordGiveUp' },
        CANCEL: leaving.CANCEL,
        RELEASE: leaving.RELEASE,
      },
    },
    // Started again by its parent: every child, first started first.
    resumingAll: {
      entry: 'resumeNext',
      always: {
        guard: 'resumesDone',
        target: 'active',
        actions: ['clearRestart', 'reportStarted'],
      },
      on: {
        ...loopReports('resumingAll'),
        CHILD_HELD: [
          pastIntensity,
          // One for one: it waits for its own time, once every other child has started.
          {
            guard: 'oneForOneFailure',
            target: 'resumingAll',
            reenter: true,
            actions: ['dropIfCurrent', 'countRestart', 'holdChild'],
          },
          // A restart of its own follows: it says it started once that restart is done.
          restartAgain,
          loopReports('resumingAll').CHILD_HELD,
        ],
        ...leaving,
      },
    },
    // Given up all the way up: held runs end for good (`restart-limit`), one at a time.
    givingUp: {
      entry: [stopAll('give-up'), 'stopNext'],
      always: { guard: 'subtreeEnded', target: 'stopped' },
      on: loopReports('givingUp'),
    },
    // Cancelled (or a `kill` shutdown): the subtree ends, last started first, each verified.
    stopping: {
      entry: [stopAll('cancel'), 'stopNext'],
      always: { guard: 'subtreeEnded', target: 'stopped' },
      on: { ...loopReports('stopping'), RELEASE: leaving.RELEASE },
    },
    // A `leave` shutdown: every run is released (no order: nothing is signalled).
    releasing: {
      entry: 'releaseAll',
      always: { guard: 'noChildren', target: 'released' },
    },
    // Handed on with its runs: its record stays, and the next boot rebuilds it.
    released: { entry: 'reportEnded' },
    // Terminal, not `final` (as runs): the parent removes it when it reports.
    stopped: { entry: 'reportEnded' },
    // Its record could not be stored: it never ran anything, and nothing of it is kept.
    refused: { entry: 'reportEnded' },
  },
});

/**
 * The group machine with its own logic for nested groups (`group.group(id)`), and `run` as
 * given: a group's child groups are groups of the same implementation.
 */
export function nestableGroupMachine(
  run: typeof runMachine,
  provided: Parameters<typeof groupMachine.provide>[0] = {},
): typeof groupMachine {
  const machine = groupMachine.provide({
    ...provided,
    actors: { ...provided.actors, run },
  });
  // `provide` copies the implementations: the copy can name the machine itself.
  (machine.implementations.actors as Record<string, unknown>).group = machine;
  return machine;
}
