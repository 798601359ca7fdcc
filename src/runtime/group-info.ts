// The public view of a group, read from its actor's snapshot.
import type { AnyActorRef } from 'xstate';
import type { GroupContext, GroupRecordState } from '../machines/group-context.js';
import type { GroupInfo, GroupStateName } from '../types.js';

/** A group actor's snapshot, as far as the runtime reads it. */
export interface GroupSnapshot {
  readonly status: string;
  readonly value: unknown;
  readonly context: GroupContext;
}

const STATES: Readonly<Record<string, GroupStateName>> = {
  created: 'recording',
  recording: 'recording',
  restoring: 'active',
  active: 'active',
  restarting: 'restarting',
  resumingAll: 'restarting',
  failing: 'failed',
  failed: 'failed',
  recycling: 'held',
  held: 'held',
  givingUp: 'stopping',
  stopping: 'stopping',
  stopped: 'stopped',
  released: 'stopped',
  refused: 'stopped',
};

/** The public state of a group machine state (`restarting` has substates). */
export function groupStateOf(value: unknown): GroupStateName {
  const top = typeof value === 'string' ? value : Object.keys(value as object)[0];
  return STATES[top ?? ''] ?? 'active';
}

/** What a group's record keeps of its state. */
export function recordStateOf(value: unknown): GroupRecordState {
  // Giving up is a failure the parent answered: a boot asks the parent again.
  if (value === 'givingUp') return 'failed';
  const state = groupStateOf(value);
  return state === 'stopping' || state === 'failed' ? state : 'active';
}

/** Whether the group has ended (its actor is about to be removed). */
export function groupEnded(snapshot: GroupSnapshot): boolean {
  return (
    snapshot.status !== 'active' || snapshot.value === 'stopped' || snapshot.value === 'released'
  );
}

export function groupInfoOf(snapshot: GroupSnapshot): GroupInfo {
  const { context } = snapshot;
  const { path, settings } = context;
  return {
    id: path.slice(path.lastIndexOf('/') + 1),
    path,
    ...settings,
    state: groupStateOf(snapshot.value),
    restarts: context.restarts,
    restartedAt: context.restartedAt,
    createdAt: context.createdAt,
    runs: context.children.filter((child) => child.kind === 'run').map((child) => child.id),
    groups: context.children.filter((child) => child.kind === 'group').map((child) => child.id),
  };
}

/** The snapshot of a group actor. */
export function groupSnapshotOf(ref: AnyActorRef): GroupSnapshot {
  return ref.getSnapshot() as GroupSnapshot;
}
