// Pure helpers of a run's runtime: what its snapshots say, and what a record holds.
import type { SnapshotFrom } from 'xstate';
import { buildRunExit, isTerminalRunState, type RunContext } from '../machines/run-context.js';
import type { runMachine } from '../machines/run-machine.js';
import type { RunActorRef } from '../machines/supervisor-machine.js';
import type { RunExit, RunStateName } from '../types.js';
import type { RecordCapture, RecordQueue } from './record-queue.js';

export { isTerminalRunState } from '../machines/run-context.js';

type RunSnapshot = SnapshotFrom<typeof runMachine>;

// States in which the run has no process yet: `spawn()` waits until one of them is left.
export const BEFORE_PROCESS = new Set(['created', 'recording', 'replacing', 'spawning']);

/** What is written for `snapshot`: a record carries no effect actors, so restoring one can
 * never restart an effect. */
export function captureRecord(snapshot: RunSnapshot, ref: RunActorRef | null): RecordCapture {
  const persisted = ref?.getPersistedSnapshot() as object | undefined;
  // A terminal run is stopped by its parent once it reported: its record keeps the status it
  // had in that state (a boot sets aside a stopped snapshot as not ours).
  const status = isTerminalRunState(snapshot.value) ? { status: 'active' } : {};
  return {
    snapshot,
    persisted: { ...persisted, ...status, children: {} },
    final: snapshot.value === 'done',
  };
}

// The exit of a run whose machine failed: nothing about its process is known any more.
export function failedExit(
  context: RunContext,
  error: { code: string; message: string },
  at: number,
): RunExit {
  return buildRunExit({ ...context, endReason: context.endReason ?? 'lost', error, endedAt: at });
}

// Whether `next` differs from `previous` only in what output moves.
export function onlyOutputMoved(previous: RunContext, next: RunContext): boolean {
  for (const key of Object.keys(next) as Array<keyof RunContext>) {
    if (key === 'outputBytes' || key === 'lastOutputAt' || key === 'deadlines') continue;
    if (previous[key] !== next[key]) return false;
  }
  return true;
}

export function stateName(value: unknown): RunStateName {
  return String(value) as RunStateName;
}

/**
 * Queues the record a snapshot calls for: at once for a state change and for every context
 * change but plain output, which is written at most once a second.
 */
export function queueRecord(
  records: RecordQueue,
  previous: RunContext | null,
  context: RunContext,
  changed: boolean,
): void {
  if (previous !== context) {
    if (changed || previous === null || !onlyOutputMoved(previous, context)) records.writeNow();
    else records.writeSoon();
  } else if (changed) records.writeNow();
}
