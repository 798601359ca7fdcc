// The run machine: one actor per run, a child of its supervisor. Pure data: every effect is
// an invoked actor (cancelled when its state is left) or a named action, both provided by
// the runtime. A run adopted from a record enters `orphaned` and never passes `spawning`.
import { assign } from 'xstate';
import { buildRunExit, initialRunContext } from './run-context.js';
import { runSetup } from './run-setup.js';

export type { RunOutput } from './run-context.js';

// A watchdog tick past an absolute deadline ends the run; the overall timeout wins. A tick
// before every deadline (output moved them) re-enters the state, which re-arms the watchdog.
const expiries = [
  { guard: 'timeoutDue', target: 'finalizing', actions: 'expireTimeout' },
  { guard: 'noOutputDue', target: 'finalizing', actions: 'expireNoOutput' },
] as const;
const release = { target: 'released', actions: 'recordRelease' } as const;
// Its group stops it to start it again: before its process exists, it waits at once.
const held = {
  failed: 'reportHeldFailed',
  stopped: 'reportHeldStopped',
  restored: 'reportHeldRestored',
} as const;
const recycleEarly = [
  // OTP's temporary child: stopped by its group's restart, it is not started again.
  { guard: 'neverRestarts', target: 'done', actions: 'recordRecycle' },
  { target: 'held', actions: ['recordRecycle', held.stopped, 'holdRecycled'] },
] as const;
const recycle = { target: 'finalizing', actions: 'recordRecycle' } as const;
const cancel = { target: 'finalizing', actions: 'recordCancel' } as const;
const exited = { target: 'finalizing', actions: 'recordProcessExit' } as const;

export const runMachine = runSetup.createMachine({
  id: 'run',
  context: ({ input }) => initialRunContext(input),
  initial: 'created',
  states: {
    created: {
      always: [{ guard: 'adopted', target: 'orphaned' }, { target: 'recording' }],
    },
    // The write-ahead: nothing can start before this run's record is durable.
    recording: {
      invoke: {
        src: 'writeAhead',
        input: ({ context }) => ({ runId: context.runId }),
        onDone: [{ guard: 'replacesScope', target: 'replacing' }, { target: 'spawning' }],
        // A later generation's refused record ends that generation (the run has a record).
        onError: [
          { guard: 'firstGeneration', target: 'refused', actions: 'recordRefusal' },
          { target: 'ending', actions: 'recordRefusal' },
        ],
      },
      on: {
        CANCEL: { target: 'done', actions: 'recordCancel' },
        RELEASE: release,
        RECYCLE: recycleEarly,
      },
    },
    replacing: {
      entry: 'requestReplacement',
      on: {
        PREDECESSORS_DONE: { target: 'spawning' },
        CANCEL: { target: 'done', actions: 'recordCancel' },
        RELEASE: release,
        RECYCLE: recycleEarly,
      },
    },
    // The launch cannot be taken back: a cancel or release waits for its outcome.
    spawning: {
      invoke: {
        src: 'launch',
        input: ({ context }) => ({ runId: context.runId }),
        onError: { target: 'ending', actions: 'recordLaunchFailure' },
      },
      on: {
        SPAWNED: [
          { guard: 'releaseRequested', target: 'released', actions: 'recordSpawn' },
          { guard: 'cancelRequested', target: 'finalizing', actions: 'recordSpawn' },
          { target: 'running', actions: ['recordSpawn', 'reportStarted'] },
        ],
        SPAWN_FAILED: { target: 'ending', actions: 'recordSpawnFailure' },
        CANCEL: { actions: 'recordCancel' },
        RELEASE: { actions: 'recordRelease' },
        RECYCLE: { actions: 'recordRecycle' },
      },
    },
    running: {
      invoke: {
        src: 'watchdog',
        input: ({ context }) => ({
          runId: context.runId,
          deadlines: context.deadlines,
          idle: false,
        }),
      },
      on: {
        OUTPUT: { actions: 'recordOutput' },
        TICK: [
          ...expiries,
          { guard: 'idleDue', target: 'idle' },
          { target: 'running', reenter: true },
        ],
        EXITED: exited,
        CANCEL: cancel,
        RELEASE: release,
        RECYCLE: recycle,
      },
    },
    idle: {
      invoke: {
        src: 'watchdog',
        input: ({ context }) => ({
          runId: context.runId,
          deadlines: context.deadlines,
          idle: true,
        }),
      },
      on: {
        OUTPUT: { target: 'running', actions: 'recordOutput' },
        TICK: [...expiries, { target: 'idle', reenter: true }],
        EXITED: exited,
        CANCEL: cancel,
        RELEASE: release,
        RECYCLE: recycle,
      },
    },
    finalizing: {
      invoke: {
        src: 'terminate',
        input: ({ context }) => ({ runId: context.runId }),
        onError: { target: 'done', actions: 'recordTerminationFailure' },
      },
      always: { guard: 'finalizationComplete', target: 'ending' },
      on: {
        OUTPUT: { actions: 'recordOutput' },
        EXITED: { actions: 'recordProcessExit' },
        TREE_DEAD: { actions: 'recordTreeDead' },
        // Too late to change how it ends, not to keep it from starting again.
        CANCEL: { actions: 'recordCancel' },
        RELEASE: release,
        RECYCLE: { actions: 'recordRecycle' },
      },
    },
    // Held by no handle: a record of an earlier supervisor, waiting for boot's facts. An
    // ADOPT no guard accepts (an identity that cannot be read) leaves it here, unsignalled.
    orphaned: {
      on: {
        ADOPT: [
          // Its last generation was verified dead before it waited: nothing to judge.
          { guard: 'awaitingGroupRestart', target: 'held', actions: held.restored },
          { guard: 'awaitingRestart', target: 'backoff' },
          {
            guard: 'orphanReattachable',
            target: 'running',
            actions: ['recordReattach', 'followAdopted'],
          },
          {
            guard: 'orphanToKill',
            target: 'finalizing',
            actions: ['recordOrphanKill', 'followAdopted'],
          },
          { guard: 'orphanGone', target: 'ending', actions: 'recordLost' },
        ],
        CANCEL: cancel,
        RELEASE: release,
        // Its group stops it (a restart): verified before any signal, as a cancel is. Its
        // identity could not be read, so its death cannot be proved: it is not restarted.
        RECYCLE: { target: 'finalizing', actions: 'recordRecycleStop' },
      },
    },
    // A generation ended (its tree verified dead, if it had one): its restart policy decides.
    // A run of a group waits for its group (`held`) instead of restarting by itself.
    ending: {
      always: [
        { guard: 'recycledForRestart', target: 'held', actions: [held.stopped, 'holdRecycled'] },
        {
          guard: 'restartAllowedInGroup',
          target: 'held',
          actions: [held.failed, 'scheduleRestart'],
        },
        { guard: 'restartAllowed', target: 'backoff', actions: 'scheduleRestart' },
        { guard: 'restartWanted', target: 'done', actions: 'limitRestarts' },
        { target: 'done' },
      ],
    },
    // Waiting to start the next generation at `nextStartAt` (recorded: a later boot keeps it).
    backoff: {
      entry: 'releaseProcess',
      invoke: {
        src: 'restartTimer',
        input: ({ context }) => ({ runId: context.runId, startAt: context.nextStartAt ?? 0 }),
      },
      on: {
        RESTART_DUE: [
          { guard: 'restartDue', target: 'recording', actions: 'beginGeneration' },
          { target: 'backoff', reenter: true },
        ],
        CANCEL: { target: 'done', actions: 'recordCancel' },
        RELEASE: release,
      },
    },
    // A run of a group, stopped (its tree verified dead), waiting for its group's decision:
    // start again (RESUME), or end for good (GIVE_UP). Recorded: a later boot keeps it.
    held: {
      entry: 'releaseProcess',
      on: {
        RESUME: { target: 'recording', actions: 'beginGeneration' },
        GIVE_UP: { target: 'done', actions: 'recordGiveUp' },
        CANCEL: { target: 'done', actions: 'recordCancel' },
        RELEASE: release,
      },
    },
    // Terminal, not `final` (see `isTerminalRunState`): each reports its exit to the parent.
    done: {
      entry: [
        assign({ exit: ({ context }) => buildRunExit(context) }),
        'releaseProcess',
        'reportDone',
      ],
    },
    released: { entry: ['detachProcess', 'reportReleased'] },
    // The write-ahead record could not be stored: no process, no record, no run.
    refused: {
      entry: [assign({ exit: ({ context }) => buildRunExit(context) }), 'reportRefused'],
    },
  },
});
