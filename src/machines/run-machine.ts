// The run machine: one actor per run, a child of its supervisor. Pure data: every effect is
// an invoked actor (cancelled when its state is left) or a named action, both provided by
// the runtime. A run adopted from a record enters `orphaned` and never passes `spawning`.
import { assertEvent, assign, enqueueActions, sendParent, setup } from 'xstate';
import { deadlinesAfterOutput, deadlinesAtStart, deadlinesOnReattach } from './run-deadlines.js';
import type { RunEvent } from './run-events.js';
import {
  buildRunExit,
  initialRunContext,
  messageOf,
  reasonForExit,
  releasedExit,
  runEnded,
  type RunContext,
  type RunInput,
} from './run-context.js';

export type { RunOutput } from './run-context.js';
import { runEffects } from './run-effects.js';
import { runGuards } from './run-guards.js';

// A watchdog tick past an absolute deadline ends the run; the overall timeout wins. A tick
// before every deadline (output moved them) re-enters the state, which re-arms the watchdog.
const expiries = [
  { guard: 'timeoutDue', target: 'finalizing', actions: 'expireTimeout' },
  { guard: 'noOutputDue', target: 'finalizing', actions: 'expireNoOutput' },
] as const;
const release = { target: 'released', actions: 'recordRelease' } as const;
const cancel = { target: 'finalizing', actions: 'recordCancel' } as const;
const exited = { target: 'finalizing', actions: 'recordProcessExit' } as const;

export const runMachine = setup({
  types: {
    context: {} as RunContext,
    events: {} as RunEvent,
    input: {} as RunInput,
  },
  actors: runEffects,
  actions: {
    /** Asks the parent to cancel the live runs of the scope created before this one. */
    requestReplacement: sendParent(({ context }) => ({
      type: 'REPLACE_PREDECESSORS' as const,
      runId: context.runId,
    })),
    // Each terminal state tells the parent (if any: a pure test runs one alone) how it ended.
    reportDone: enqueueActions(({ context, self, enqueue }) => {
      if (self._parent !== undefined) enqueue.sendParent(runEnded(context, 'done'));
    }),
    reportReleased: enqueueActions(({ context, self, enqueue }) => {
      if (self._parent !== undefined) enqueue.sendParent(runEnded(context, 'released'));
    }),
    reportRefused: enqueueActions(({ context, self, enqueue }) => {
      if (self._parent !== undefined) enqueue.sendParent(runEnded(context, 'refused'));
    }),
    /** Follows an adopted process again: its run host's stream, or its verified identity. */
    followAdopted: () => undefined,
    /** Releases the handle and file descriptors; never signals. */
    releaseProcess: () => undefined,
    /** Detaches from a process that goes on (a `leave` shutdown); never signals. */
    detachProcess: () => undefined,
    recordOutput: assign(({ context, event }) => {
      assertEvent(event, 'OUTPUT');
      return {
        lastOutputAt: event.at,
        outputBytes: context.outputBytes + event.bytes,
        deadlines: deadlinesAfterOutput(context.descriptor, context.deadlines, event.at),
      };
    }),
    recordSpawn: assign(({ context, event }) => {
      assertEvent(event, 'SPAWNED');
      return {
        pid: event.pid,
        identity: event.identity,
        host: event.host ?? null,
        startedAt: event.at,
        deadlines: deadlinesAtStart(context.descriptor, event.at),
      };
    }),
    recordSpawnFailure: assign(({ event }) => {
      assertEvent(event, 'SPAWN_FAILED');
      return { endReason: 'spawn-error' as const, error: event.error, endedAt: event.at };
    }),
    recordRefusal: assign(({ event }) => {
      const message = messageOf((event as { error?: unknown }).error);
      return {
        endReason: 'spawn-error' as const,
        error: {
          code: 'E_STORE_WRITE',
          message: `the write-ahead record could not be stored: ${message}`,
        },
      };
    }),
    // An effect that failed (threw) must not leave a run stuck: the failure is its exit.
    recordLaunchFailure: assign(({ event }) => ({
      endReason: 'spawn-error' as const,
      error: { code: 'E_LAUNCH', message: messageOf((event as { error?: unknown }).error) },
    })),
    recordTerminationFailure: assign(({ context, event }) => ({
      processExit: context.processExit ?? { exitCode: null, signal: null },
      termination: {
        forced: false,
        survivors: [],
        error: { code: 'E_TERMINATE', message: messageOf((event as { error?: unknown }).error) },
      },
    })),
    recordProcessExit: assign(({ context, event }) => {
      assertEvent(event, 'EXITED');
      return {
        processExit: { exitCode: event.exitCode, signal: event.signal },
        endReason: context.endReason ?? event.reason ?? reasonForExit(event.signal),
        endedAt: Math.max(context.endedAt ?? 0, event.at),
      };
    }),
    recordTreeDead: assign(({ context, event }) => {
      assertEvent(event, 'TREE_DEAD');
      return {
        termination: { forced: event.forced, survivors: event.survivors, error: event.error },
        endedAt: Math.max(context.endedAt ?? 0, event.at),
      };
    }),
    // The first reason wins: a run orphaned while finalizing (say, cancelled) keeps its
    // reason when the next supervisor finishes the job.
    expireTimeout: assign({ endReason: 'timeout' }),
    expireNoOutput: assign({ endReason: 'no-output-timeout' }),
    recordCancel: assign(({ context, event }) => {
      assertEvent(event, 'CANCEL');
      return {
        endReason: context.endReason ?? event.reason,
        error: context.error ?? event.error ?? null,
        endedAt: context.endedAt ?? event.at ?? null,
      };
    }),
    // The record keeps the run live (no end reason): the next supervisor adopts it.
    recordRelease: assign(({ context, event }) => {
      assertEvent(event, 'RELEASE');
      return { exit: releasedExit(context, event.at ?? context.startedAt ?? context.createdAt) };
    }),
    recordReattach: assign(({ context, event }) => {
      assertEvent(event, 'ADOPT');
      const startedAt = context.startedAt ?? event.at;
      return {
        identity: event.root ?? context.identity,
        pid: event.root?.pid ?? context.pid,
        startedAt,
        deadlines: deadlinesOnReattach(context.descriptor, context.deadlines, startedAt, event.at),
      };
    }),
    recordOrphanKill: assign(({ context, event }) => {
      assertEvent(event, 'ADOPT');
      return {
        endReason: context.endReason ?? ('orphan-killed' as const),
        error: context.error ?? event.error ?? null,
      };
    }),
    recordLost: assign(({ context, event }) => {
      assertEvent(event, 'ADOPT');
      return {
        endReason: 'lost' as const,
        error: context.error ?? event.error ?? null,
        endedAt: event.at,
      };
    }),
  },
  guards: runGuards,
}).createMachine({
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
        onError: { target: 'refused', actions: 'recordRefusal' },
      },
      on: {
        CANCEL: { target: 'done', actions: 'recordCancel' },
        RELEASE: release,
      },
    },
    replacing: {
      entry: 'requestReplacement',
      on: {
        PREDECESSORS_DONE: { target: 'spawning' },
        CANCEL: { target: 'done', actions: 'recordCancel' },
        RELEASE: release,
      },
    },
    // The launch cannot be taken back: a cancel or release waits for its outcome.
    spawning: {
      invoke: {
        src: 'launch',
        input: ({ context }) => ({ runId: context.runId }),
        onError: { target: 'done', actions: 'recordLaunchFailure' },
      },
      on: {
        SPAWNED: [
          { guard: 'releaseRequested', target: 'released', actions: 'recordSpawn' },
          { guard: 'cancelRequested', target: 'finalizing', actions: 'recordSpawn' },
          { target: 'running', actions: 'recordSpawn' },
        ],
        SPAWN_FAILED: { target: 'done', actions: 'recordSpawnFailure' },
        CANCEL: { actions: 'recordCancel' },
        RELEASE: { actions: 'recordRelease' },
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
      },
    },
    finalizing: {
      invoke: {
        src: 'terminate',
        input: ({ context }) => ({ runId: context.runId }),
        onError: { target: 'done', actions: 'recordTerminationFailure' },
      },
      always: { guard: 'finalizationComplete', target: 'done' },
      on: {
        OUTPUT: { actions: 'recordOutput' },
        EXITED: { actions: 'recordProcessExit' },
        TREE_DEAD: { actions: 'recordTreeDead' },
        RELEASE: release,
      },
    },
    // Held by no handle: a record of an earlier supervisor, waiting for boot's facts. An
    // ADOPT no guard accepts (an identity that cannot be read) leaves it here, unsignalled.
    orphaned: {
      on: {
        ADOPT: [
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
          { guard: 'orphanGone', target: 'done', actions: 'recordLost' },
        ],
        CANCEL: cancel,
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
