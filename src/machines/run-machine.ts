// The run machine: one per run, pure data. Every side effect is a named action that the
// supervisor provides; restoring a snapshot runs no entry action, so it can never spawn.
import { assertEvent, assign, setup } from 'xstate';
import {
  deadlinesAfterOutput,
  deadlinesAtStart,
  deadlinesOnReattach,
  isDue,
} from './run-deadlines.js';
import type { RunEvent } from './run-events.js';
import {
  buildRunExit,
  initialRunContext,
  reasonForExit,
  type RunContext,
  type RunInput,
} from './run-context.js';

// A watchdog tick past an absolute deadline ends the run; the overall timeout wins.
const expiries = [
  { guard: 'timeoutDue', target: 'finalizing', actions: 'expireTimeout' },
  { guard: 'noOutputDue', target: 'finalizing', actions: 'expireNoOutput' },
] as const;

/** Output of the final state: the exit record. */
export type RunOutput = NonNullable<RunContext['exit']>;

export const runMachine = setup({
  types: {
    context: {} as RunContext,
    events: {} as RunEvent,
    input: {} as RunInput,
    output: {} as RunOutput,
  },
  actions: {
    /** Cancels live predecessors in the scope (if replacing) and reports PREDECESSORS_DONE. */
    finalizePredecessors: () => undefined,
    /** Starts the process (after the write-ahead record) and reports SPAWNED or SPAWN_FAILED. */
    spawnProcess: () => undefined,
    /** Collects the tree, signals, waits, verifies, and reports TREE_DEAD (and EXITED). */
    terminateTree: () => undefined,
    /** Releases the handle and file descriptors; never signals. */
    releaseProcess: () => undefined,
    recordOutput: assign(({ context, event }) => {
      assertEvent(event, 'OUTPUT');
      return {
        lastOutputAt: event.at,
        outputBytes: context.outputBytes + event.bytes,
        deadlines: deadlinesAfterOutput(context.descriptor, context.deadlines, event.at),
      };
    }),
    recordProcessExit: assign(({ context, event }) => {
      assertEvent(event, 'EXITED');
      return {
        processExit: { exitCode: event.exitCode, signal: event.signal },
        endReason: context.endReason ?? event.reason ?? reasonForExit(event.signal),
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
      };
    }),
  },
  guards: {
    timeoutDue: ({ context, event }) =>
      event.type === 'TICK' && isDue(context.deadlines.timeoutAt, event.now),
    noOutputDue: ({ context, event }) =>
      event.type === 'TICK' && isDue(context.deadlines.noOutputAt, event.now),
    idleDue: ({ context, event }) =>
      event.type === 'TICK' && isDue(context.deadlines.idleAt, event.now),
    /** A run that was being finalized is never reattached: its end must not be lost. */
    notFinalizing: ({ context }) => context.endReason === null,
    finalizationComplete: ({ context }) =>
      context.processExit !== null && context.termination !== null,
  },
}).createMachine({
  id: 'run',
  context: ({ input }) => initialRunContext(input),
  initial: 'replacing',
  output: ({ context }) => context.exit ?? buildRunExit(context),
  states: {
    replacing: {
      entry: 'finalizePredecessors',
      on: {
        PREDECESSORS_DONE: { target: 'spawning' },
        CANCEL: {
          target: 'done',
          actions: assign({
            endReason: ({ event }) => event.reason,
            endedAt: ({ event }) => event.at,
          }),
        },
        ORPHANED: { target: 'orphaned' },
      },
    },
    spawning: {
      entry: 'spawnProcess',
      on: {
        SPAWNED: {
          target: 'running',
          actions: assign({
            pid: ({ event }) => event.pid,
            identity: ({ event }) => event.identity,
            host: ({ event }) => event.host ?? null,
            startedAt: ({ event }) => event.at,
            deadlines: ({ context, event }) => deadlinesAtStart(context.descriptor, event.at),
          }),
        },
        SPAWN_FAILED: {
          target: 'done',
          actions: assign({
            endReason: 'spawn-error',
            error: ({ event }) => event.error,
            endedAt: ({ event }) => event.at,
          }),
        },
        ORPHANED: { target: 'orphaned' },
      },
    },
    running: {
      on: {
        OUTPUT: { actions: 'recordOutput' },
        TICK: [...expiries, { guard: 'idleDue', target: 'idle' }],
        EXITED: { target: 'finalizing', actions: 'recordProcessExit' },
        CANCEL: { target: 'finalizing', actions: 'recordCancel' },
        ORPHANED: { target: 'orphaned' },
      },
    },
    idle: {
      on: {
        OUTPUT: { target: 'running', actions: 'recordOutput' },
        TICK: expiries,
        EXITED: { target: 'finalizing', actions: 'recordProcessExit' },
        CANCEL: { target: 'finalizing', actions: 'recordCancel' },
        ORPHANED: { target: 'orphaned' },
      },
    },
    finalizing: {
      entry: 'terminateTree',
      always: { guard: 'finalizationComplete', target: 'done' },
      on: {
        OUTPUT: { actions: 'recordOutput' },
        EXITED: { actions: 'recordProcessExit' },
        TREE_DEAD: {
          actions: assign({
            termination: ({ event }) => ({
              forced: event.forced,
              survivors: event.survivors,
              error: event.error,
            }),
            endedAt: ({ context, event }) => Math.max(context.endedAt ?? 0, event.at),
          }),
        },
        ORPHANED: { target: 'orphaned' },
      },
    },
    orphaned: {
      on: {
        REATTACH: {
          guard: 'notFinalizing',
          target: 'running',
          actions: assign(({ context, event }) => {
            const startedAt = context.startedAt ?? event.at;
            return {
              identity: event.identity ?? context.identity,
              pid: event.identity?.pid ?? context.pid,
              startedAt,
              deadlines: deadlinesOnReattach(
                context.descriptor,
                context.deadlines,
                startedAt,
                event.at,
              ),
            };
          }),
        },
        CANCEL: { target: 'finalizing', actions: 'recordCancel' },
        LOST: {
          target: 'done',
          actions: assign({
            endReason: 'lost',
            error: ({ context, event }) => context.error ?? event.error ?? null,
            endedAt: ({ event }) => event.at,
          }),
        },
      },
    },
    done: {
      type: 'final',
      entry: [assign({ exit: ({ context }) => buildRunExit(context) }), 'releaseProcess'],
    },
  },
});
