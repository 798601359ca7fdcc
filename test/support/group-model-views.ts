// What the group model offers the search: the events the driver may cause in a model state,
// the groups that wait forever there (a liveness failure), and an abstract key of the state.
import type { InspectionEvent } from 'xstate';
import { describeTransition } from '../../src/machines/list-transitions.js';
import type { OrphanPolicy } from '../../src/types.js';
import type { GroupModel } from './group-model.js';
import { itemsOf, VARIANTS, type MemberItem, type TreeItem } from './group-model-variants.js';

/** An event the driver causes; everything else the world does by itself. */
export type GroupModelEvent =
  | { readonly type: 'FAIL'; readonly name: string }
  | { readonly type: 'KILL'; readonly name: string }
  | { readonly type: 'DUE' }
  /** As DUE, with the write-ahead of `name`'s next generation held (or refused) by the store. */
  | { readonly type: 'DUE_HOLD' | 'DUE_REFUSE'; readonly name: string }
  /** The held write-ahead of `name` lands. */
  | { readonly type: 'OPEN'; readonly name: string }
  /** `supervisor.cancel(id)` of member `name`. */
  | { readonly type: 'CANCEL_RUN'; readonly name: string }
  | { readonly type: 'CANCEL'; readonly path: string }
  | { readonly type: 'SPAWN'; readonly name: string }
  | { readonly type: 'ADD'; readonly path: string }
  /** As ADD, with the group's record held by the store (it stays `recording`). */
  | { readonly type: 'ADD_HOLD'; readonly path: string }
  /**
   * The store holds the next write of group `path`'s record (a write in flight meanwhile:
   * those after it wait), until OPEN_GROUP. Not searched: a known divergence takes it.
   */
  | { readonly type: 'HOLD_RECORD'; readonly path: string }
  /** The held record of group `path` lands. */
  | { readonly type: 'OPEN_GROUP'; readonly path: string }
  | { readonly type: 'LEAVE' }
  | { readonly type: 'SHUTDOWN' }
  /** After a `leave`: the next supervisor boots on the same home, with this orphan policy. */
  | { readonly type: 'REBOOT'; readonly policy: OrphanPolicy };

// States in which a group works through its children one at a time.
const LOOPS = new Set([
  'restarting',
  'failing',
  'recycling',
  'resumingAll',
  'givingUp',
  'stopping',
]);
// A cancel of a group in these changes nothing.
const NOT_CANCELLED = new Set(['stopping', 'givingUp', 'stopped', 'releasing', 'released']);

/** An extra member or group of its variant that the path has not added yet. */
function isExtra(model: GroupModel, item: TreeItem): boolean {
  const id = item.kind === 'run' ? item.name : item.path;
  return VARIANTS[model.variant].extra.some((x: TreeItem) => x === item) && !model.used.has(id);
}

/** The group at `path` exists and has not stopped. */
function groupLive(model: GroupModel, path: string): boolean {
  return (
    path !== '' && model.groupActor(path) !== undefined && model.groupState(path) !== 'stopped'
  );
}

/** The events the driver may cause now. */
export function modelEvents(model: GroupModel): GroupModelEvent[] {
  const found: GroupModelEvent[] = [];
  const serving = model.serving();
  // While it boots, a supervisor takes cancels of the groups it rebuilt, and a shutdown.
  const open = serving || model.booting;
  const due = model.timers.some((timer) => timer.live && timer.at !== null);
  for (const item of itemsOf(VARIANTS[model.variant])) {
    if (item.kind === 'group') {
      const { path } = item;
      if (open && groupLive(model, path) && !NOT_CANCELLED.has(model.groupState(path)))
        found.push({ type: 'CANCEL', path });
      const parent = path.slice(0, path.lastIndexOf('/'));
      if (serving && isExtra(model, item) && groupLive(model, parent)) {
        found.push({ type: 'ADD', path });
        if (item.gated) found.push({ type: 'ADD_HOLD', path });
      }
      if (model.groupGates.has(path)) found.push({ type: 'OPEN_GROUP', path });
      continue;
    }
    const { name } = item;
    const state = model.runState(name);
    if (state === 'running') found.push({ type: 'FAIL', name });
    if (state === 'finalizing' && model.waitsForKill(item)) found.push({ type: 'KILL', name });
    if (serving && isExtra(model, item) && groupLive(model, item.path))
      found.push({ type: 'SPAWN', name });
    if (!item.gated) continue;
    const gate = model.gates.get(name);
    if (gate?.taken === true) found.push({ type: 'OPEN', name });
    if (due && gate === undefined && state === 'held')
      found.push({ type: 'DUE_HOLD', name }, { type: 'DUE_REFUSE', name });
    // Cancelled by itself while its write-ahead is held (its group waits for it then).
    if (serving && state === 'recording' && gate?.taken === true)
      found.push({ type: 'CANCEL_RUN', name });
  }
  if (due) found.push({ type: 'DUE' });
  if (open) found.push({ type: 'LEAVE' }, { type: 'SHUTDOWN' });
  // One reboot a path: on what a `leave` left, killing or reattaching what lives.
  if (model.ended && model.shutdown?.runs === 'leave' && model.reboots === 0)
    found.push({ type: 'REBOOT', policy: 'kill' }, { type: 'REBOOT', policy: 'reattach' });
  return found;
}

/**
 * Groups waiting for a child that will never report: the child they stop or start now is
 * neither a stubborn member waiting for the driver, nor a member whose write-ahead the
 * driver holds, nor a group busy with its own children. And a boot (every group it rebuilds
 * waits for its end) waiting for an adopted run that is not a stubborn member being killed.
 */
export function stuckGroups(model: GroupModel): string[] {
  const items = itemsOf(VARIANTS[model.variant]);
  const found: string[] = [];
  const memberNamed = (name: string) =>
    items.find((item): item is MemberItem => item.kind === 'run' && item.name === name);
  for (const name of model.booting ? model.adopting : []) {
    const member = memberNamed(name);
    if (member === undefined || !model.waitsForKill(member))
      found.push(`the boot waits for ${name} (${model.runState(name)})`);
  }
  for (const item of items) {
    if (item.kind !== 'group') continue;
    const current = model.groupContext(item.path)?.current ?? null;
    if (current === null) continue;
    const member = memberNamed(current);
    const state = member === undefined ? model.groupState(current) : model.runState(current);
    const busy =
      member === undefined
        ? LOOPS.has(state.split('.')[0] ?? '')
        : (state === 'finalizing' && model.waitsForKill(member)) ||
          (state === 'recording' && model.holding());
    if (!busy)
      found.push(`${item.path} ${model.groupState(item.path)} waits for ${current} (${state})`);
  }
  return found;
}

/** What decides what happens next (paths reaching the same key are not explored twice). */
export function abstractKey(model: GroupModel): string {
  const items = itemsOf(VARIANTS[model.variant]);
  return JSON.stringify([
    model.variant,
    model.supervisorState,
    [model.reboots, model.shutdown, [...model.adopting]],
    [...model.store.groups].map(([path, r]) => [path, r.state, r.children, r.restarts]),
    [...model.used],
    [...model.gates],
    [...model.groupGates],
    items.map((item) => {
      if (item.kind === 'run') {
        const c = model.runContext(item.name);
        return [
          model.runState(item.name),
          c && [c.generation, c.recycling, c.stopReason, c.processExit !== null, c.origin],
        ];
      }
      const c = model.groupContext(item.path);
      const held = c?.held.map((entry) => entry.id);
      return [
        model.groupState(item.path),
        c && [c.current, c.toStop, c.toResume, held, c.waiting, c.restartedAt.length],
      ];
    }),
    model.timers.filter((timer) => timer.live && timer.at !== null).map((timer) => timer.path),
  ]);
}

/**
 * What the model's actors did that the real world shows: a member whose process runs is
 * signalled by its group or a cancel (its fixture logs it), a group's record landed.
 */
export function noteTransitions(model: GroupModel, event: InspectionEvent): void {
  if (event.type !== '@xstate.microstep') return;
  const id = (event.actorRef as unknown as { id: string }).id;
  const snapshot = event.snapshot as unknown as {
    value: unknown;
    context: { generation?: number };
    machine: { id: string };
  };
  if (snapshot.machine.id === 'run') model.runStates.set(id, String(snapshot.value));
  const generation = `${id} ${snapshot.context.generation ?? 0}`;
  for (const transition of event._transitions) {
    const { key } = describeTransition(transition);
    // Signalled once it ran (its trap set: it logs the SIGTERM), or as its process started.
    if (/^(running|idle) --(RECYCLE|CANCEL)--> finalizing$/.test(key)) {
      if (model.runningAtStep.has(id)) model.stops.push(`stop ${generation}`);
      else model.stoppedAtStart.add(generation);
    }
    // An orphan a boot kills: its process (released alive, long ready) is signalled.
    if (key === 'orphaned --ADOPT[orphanToKill]--> finalizing')
      model.stops.push(`stop ${generation}`);
    if (key === 'spawning --SPAWNED[cancelRequested]--> finalizing')
      model.stoppedAtStart.add(generation);
    if (key === 'recording --done.invoke.writeGroup--> active')
      model.activeGroups.add(id.slice('group:'.length));
  }
}
