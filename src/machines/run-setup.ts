// The run machine's setup: its types, effects (provided by the runtime), named actions and
// guards. The chart itself is in run-machine.ts.
import { assertEvent, assign, enqueueActions, sendParent, setup } from 'xstate';
import { deadlinesAfterOutput, deadlinesAtStart, deadlinesOnReattach } from './run-deadlines.js';
import type { RunEvent } from './run-events.js';
import {
  messageOf,
  reasonForExit,
  releasedExit,
  runEnded,
  type RunContext,
  type RunInput,
} from './run-context.js';
import { runEffects } from './run-effects.js';
import { runGuards } from './run-guards.js';
import {
  beginGeneration,
  holdRecycled,
  limitRestarts,
  scheduleRestart,
} from './run-restart-actions.js';
import { generationEndedAt, restartDelay } from './run-restarts.js';

/**
 * What a run of a group tells it when it stops and waits for it, and why. Sent before the
 * transition's own changes (which clear the generation's end): a failure is counted when it
 * happened, and comes with the time its own backoff would start it again.
 */
function heldEvent(context: RunContext, cause: 'failed' | 'stopped' | 'restored') {
  const endedAt = generationEndedAt(context);
  const at =
    cause === 'failed'
      ? endedAt + restartDelay(context).delayMs
      : cause === 'stopped'
        ? endedAt
        : (context.nextStartAt ?? endedAt);
  return { type: 'CHILD_HELD' as const, id: context.runId, cause, at, endedAt };
}

export const runSetup = setup({
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
        cgroup: event.cgroup ?? null,
        startedAt: event.at,
        deadlines: deadlinesAtStart(context.descriptor, event.at),
      };
    }),
    recordSpawnFailure: assign(({ event }) => {
      assertEvent(event, 'SPAWN_FAILED');
      return { endReason: 'spawn-error' as const, error: event.error, endedAt: event.at };
    }),
    recordRefusal: assign(({ context, event }) => {
      const message = messageOf((event as { error?: unknown }).error);
      return {
        endReason: 'spawn-error' as const,
        // No time comes with an effect's failure: when the generation began stands in.
        endedAt: generationEndedAt(context),
        error: {
          code: 'E_STORE_WRITE',
          message: `the write-ahead record could not be stored: ${message}`,
        },
      };
    }),
    // An effect that failed (threw) must not leave a run stuck: the failure is its exit.
    recordLaunchFailure: assign(({ context, event }) => ({
      endReason: 'spawn-error' as const,
      endedAt: generationEndedAt(context),
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
    // A cancel is also a stop request: whatever reason the run ends with, it is not
    // started again (a cancel while it is already finalizing keeps the first reason).
    recordCancel: assign(({ context, event }) => {
      assertEvent(event, 'CANCEL');
      return {
        stopReason: context.stopReason ?? event.reason,
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
    scheduleRestart: assign(({ context }) => scheduleRestart(context)),
    holdRecycled: assign(({ context }) => holdRecycled(context)),
    limitRestarts: assign(({ context }) => limitRestarts(context)),
    beginGeneration: assign(({ context, event }) => {
      assertEvent(event, ['RESTART_DUE', 'RESUME']);
      return beginGeneration(context, event.now);
    }),
    // Its group stops it to start it again: a stop like a shutdown, unless it may restart.
    recordRecycle: assign(({ context, event }) => {
      assertEvent(event, 'RECYCLE');
      return {
        recycling: true,
        endReason: context.endReason ?? ('shutdown' as const),
        endedAt: context.endedAt ?? event.at ?? null,
      };
    }),
    // An orphan its group stops: a stop, not a restart (nothing proves its tree dead).
    recordRecycleStop: assign(({ context, event }) => {
      assertEvent(event, 'RECYCLE');
      return {
        stopReason: context.stopReason ?? ('shutdown' as const),
        endReason: context.endReason ?? ('shutdown' as const),
        endedAt: context.endedAt ?? event.at ?? null,
      };
    }),
    // Given up by its group: it ends with its last generation's details.
    recordGiveUp: assign(({ context, event }) => {
      assertEvent(event, 'GIVE_UP');
      return { endReason: 'restart-limit' as const, endedAt: context.endedAt ?? event.at };
    }),
    // Each tells its group it stopped and waits: for its own failure, a recycle, or a boot.
    reportHeldFailed: enqueueActions(({ context, self, enqueue }) => {
      if (self._parent !== undefined) enqueue.sendParent(heldEvent(context, 'failed'));
    }),
    reportHeldStopped: enqueueActions(({ context, self, enqueue }) => {
      if (self._parent !== undefined) enqueue.sendParent(heldEvent(context, 'stopped'));
    }),
    reportHeldRestored: enqueueActions(({ context, self, enqueue }) => {
      if (self._parent !== undefined) enqueue.sendParent(heldEvent(context, 'restored'));
    }),
    /** Tells its group its process exists (a group restart starts the next child then). */
    reportStarted: enqueueActions(({ context, self, enqueue }) => {
      if (self._parent !== undefined && context.descriptor.group !== null)
        enqueue.sendParent({ type: 'CHILD_STARTED', id: context.runId });
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
});
