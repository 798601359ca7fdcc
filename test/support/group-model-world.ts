// What the world around the group model does by itself, one member or group at a time:
// records land (unless the driver holds them), processes start, a signalled process exits
// (unless stubborn), a tree is verified dead; and the manual clock's timers.
import type { GroupModel } from './group-model.js';
import { GROUP_WRITE, RUN_WRITE } from './group-model-machines.js';
import type { TreeItem } from './group-model-variants.js';
import { fakeIdentity } from './run-fixtures.js';

/** Whatever the world does for `item` now; false when it has nothing to do. */
export function stepWorld(model: GroupModel, item: TreeItem): boolean {
  if (item.kind === 'group') {
    // A held record lands only once the driver lets it (group records are not batched
    // with run records: nothing else waits for it).
    if (model.groupState(item.path) !== 'recording' || model.groupGates.has(item.path))
      return false;
    const outcome = item.refused ? 'error' : 'done';
    const error = new Error('the store refuses the record');
    model.groupActor(item.path)?.send({ type: `xstate.${outcome}.actor.${GROUP_WRITE}`, error });
    return true;
  }
  const ref = model.runActor(item.name);
  if (ref === undefined) return false;
  const state = model.runState(item.name);
  if (state === 'recording') {
    const gate = model.gates.get(item.name);
    // Record writes go out one batch at a time: one held write holds every later one.
    if (gate?.taken === true || model.holding()) return false;
    if (gate !== undefined) gate.taken = true;
    if (gate?.mode === 'hold') return true;
    if (gate?.mode === 'refuse') model.gates.delete(item.name);
    const outcome = gate?.mode === 'refuse' ? 'error' : 'done';
    const error = new Error('the store refuses the record');
    ref.send({ type: `xstate.${outcome}.actor.${RUN_WRITE}`, error });
  } else if (state === 'spawning')
    ref.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: 0 });
  else if (state === 'finalizing' && !model.waitsForKill(item)) {
    if (model.runContext(item.name)?.processExit === null)
      ref.send(exitOf(model, item.name, { exitCode: 0, signal: null }));
    ref.send({ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 0 });
  } else return false;
  return true;
}

/**
 * The exit of member `name`'s process. One a boot adopted is watched, not held: its exit
 * code cannot be known (the termination, or the watch of its identity, reports it unknown).
 */
export function exitOf(
  model: GroupModel,
  name: string,
  exit: { exitCode: number | null; signal: 'SIGKILL' | null },
) {
  const adopted = model.runContext(name)?.origin === 'record';
  const { exitCode, signal } = adopted ? { exitCode: null, signal: null } : exit;
  return { type: 'EXITED', exitCode, signal, at: 0 } as const;
}

// The manual clock moves to now: every armed timer fires once, oldest first, and those
// armed meanwhile too (what the world then does comes after, as it is asynchronous).
export function fireTimers(model: GroupModel): void {
  for (;;) {
    const timer = model.timers.find((t) => t.live && t.at !== null);
    if (timer === undefined) return;
    timer.live = false;
    model.groupActor(timer.path)?.send({ type: 'RESUME_DUE', now: 0 });
  }
}

/** A state value as one name (`restarting.stopping`). */
export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', ''];
  return `${key}.${stateName(inner)}`;
}
