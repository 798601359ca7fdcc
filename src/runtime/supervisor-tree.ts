// The supervision tree as data: the supervisor actor and the run actors it holds now, read
// from the actor system itself (the supervisor machine's children), in start order.
import type { SnapshotFrom } from 'xstate';
import type { supervisorMachine } from '../machines/supervisor-machine.js';
import type { RunStateName } from '../types.js';

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
}

/** The supervisor actor, the root of its actor system. */
export interface SupervisorTree {
  readonly kind: 'supervisor';
  readonly name: string;
  readonly state: SupervisorState;
  readonly storeHealth: 'ok' | 'degraded';
  /** Its live child actors, oldest first. */
  readonly children: readonly RunTreeNode[];
}

/** Reads the tree from a supervisor machine snapshot. */
export function readSupervisorTree(
  snapshot: SnapshotFrom<typeof supervisorMachine>,
  header: Pick<SupervisorTree, 'name' | 'state' | 'storeHealth'>,
): SupervisorTree {
  const children: RunTreeNode[] = [];
  for (const ref of snapshot.context.runs) {
    const { id } = ref;
    const run = ref.getSnapshot();
    const { descriptor, pid } = run.context;
    children.push({
      kind: 'run',
      id,
      state: run.value as RunStateName,
      command: descriptor.command,
      pid,
      scopeKey: descriptor.scopeKey,
    });
  }
  return { kind: 'supervisor', ...header, children };
}
