// The supervision tree as data: the supervisor actor, its groups and the run actors they
// hold now, read from the actor system itself (each actor's children), in start order.
import type { AnyActorRef, SnapshotFrom } from 'xstate';
import type { GroupMember } from '../machines/group-context.js';
import type { RunContext } from '../machines/run-context.js';
import type { supervisorMachine } from '../machines/supervisor-machine.js';
import type { GroupInfo, RunStateName } from '../types.js';
import { groupInfoOf, groupSnapshotOf } from './group-info.js';

/** The supervisor machine's state, as the API names it. */
export type SupervisorState = 'idle' | 'booting' | 'active' | 'draining' | 'stopped';

/** Names a supervisor machine snapshot's state (`failing` and `closing` drain too). */
export function supervisorStateOf(
  snapshot: SnapshotFrom<typeof supervisorMachine>,
): SupervisorState {
  if (snapshot.matches('idle')) return 'idle';
  if (snapshot.matches({ open: 'booting' })) return 'booting';
  if (snapshot.matches({ open: 'active' })) return 'active';
  return snapshot.matches('stopped') ? 'stopped' : 'draining';
}

/** A run actor in the tree. */
export interface RunTreeNode {
  readonly kind: 'run';
  /** The run id: also the actor's id and `systemId`. */
  readonly id: string;
  readonly state: RunStateName;
  readonly command: string;
  readonly pid: number | null;
  readonly scopeKey: string | null;
  /** Restarts so far, and the current generation (1 for the first start). */
  readonly restarts: number;
  readonly generation: number;
}

/** A group actor in the tree: a nested supervisor, with its runs and groups. */
export interface GroupTreeNode extends Pick<
  GroupInfo,
  'path' | 'strategy' | 'state' | 'restarts' | 'maxRestarts' | 'restartWindowMs'
> {
  readonly kind: 'group';
  /** Its id within its parent. */
  readonly id: string;
  /** Its live children, in start order. */
  readonly children: readonly TreeNode[];
}

/** A node below the supervisor. */
export type TreeNode = RunTreeNode | GroupTreeNode;

/** The supervisor actor, the root of its actor system. */
export interface SupervisorTree {
  readonly kind: 'supervisor';
  readonly name: string;
  readonly state: SupervisorState;
  readonly storeHealth: 'ok' | 'degraded';
  /** Its live child actors: its runs (oldest first), then its groups (in start order). */
  readonly children: readonly TreeNode[];
}

/** Reads the tree from a supervisor machine snapshot. */
export function readSupervisorTree(
  snapshot: SnapshotFrom<typeof supervisorMachine>,
  header: Pick<SupervisorTree, 'name' | 'state' | 'storeHealth'>,
): SupervisorTree {
  const { runs, groups } = snapshot.context;
  const children = [...runs.map(runNode), ...groups.map((group) => groupNode(group.ref))];
  return { kind: 'supervisor', ...header, children };
}

function runNode(ref: AnyActorRef): RunTreeNode {
  const run = ref.getSnapshot() as { value: unknown; context: RunContext };
  const { descriptor, pid, restarts, generation } = run.context;
  return {
    kind: 'run',
    id: ref.id,
    state: run.value as RunStateName,
    command: descriptor.command,
    pid,
    scopeKey: descriptor.scopeKey,
    restarts,
    generation,
  };
}

function groupNode(ref: AnyActorRef): GroupTreeNode {
  const snapshot = groupSnapshotOf(ref);
  const info = groupInfoOf(snapshot);
  const { path, strategy, state, restarts, maxRestarts, restartWindowMs } = info;
  const children = snapshot.context.children.map((child: GroupMember) =>
    child.kind === 'run' ? runNode(child.ref) : groupNode(child.ref),
  );
  return {
    kind: 'group',
    id: info.id,
    path,
    strategy,
    state,
    restarts,
    maxRestarts,
    restartWindowMs,
    children,
  };
}
