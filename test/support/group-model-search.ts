// Picks the paths the group machine's model-based test replays: a breadth-first search over
// the model's abstract states from each tree variant; the first path that takes a group
// transition not covered yet is kept, completed to an end. The end is a kill shutdown (the
// driver ending stubborn members); where none can end the tree (a group waits forever), a
// `leave` shutdown ends it instead, and the path is listed as stuck.
import { GroupModel } from './group-model.js';
import {
  abstractKey,
  modelEvents,
  stuckGroups,
  type GroupModelEvent,
} from './group-model-views.js';
import { VARIANTS, type Variant, type VariantName } from './group-model-variants.js';

export interface GroupPath {
  readonly variant: VariantName;
  readonly events: readonly GroupModelEvent[];
  /** No kill shutdown could end it: a group waited forever (a `leave` ended it). */
  readonly stuck: boolean;
  /** The group transitions the model takes on it, in order. */
  readonly keys: readonly string[];
}

export interface Selection {
  readonly paths: GroupPath[];
  /** Paths that nothing could end (stuck after a kill shutdown began): not replayed. */
  readonly endless: string[];
  /** The first way found into each state where a group waits forever, with what it waits for. */
  readonly stuck: string[];
}

/** Replays `events` of `variant` on a new model. */
export function replayModel(variant: VariantName, events: readonly GroupModelEvent[]): GroupModel {
  const model = new GroupModel(variant);
  for (const event of events) model.apply(event);
  return model;
}

/**
 * Paths that together take every group transition the world can cause, shortest first: up to
 * `maxDepth` events, then (after a `leave`) its end and a reboot, and `rebootDepth` more.
 */
export function selectGroupPaths(maxDepth = 6, rebootDepth = 2): Selection {
  const covered = new Set<string>();
  const found: Selection = { paths: [], endless: [], stuck: [] };
  const names = new Set<string>();
  const stuckSeen = new Set<string>();
  // A path taking a transition not covered yet is kept (completed to an end).
  const consider = (variant: VariantName, events: GroupModelEvent[], model: GroupModel) => {
    if (targetsOf(model).every((key) => covered.has(key))) return;
    const completed = complete(variant, events);
    const name = describeEvents(variant, completed?.events ?? events);
    const full = completed === null ? model : replayModel(variant, completed.events);
    const keys = full.recorder.machineLog('group');
    if (completed === null) found.endless.push(name);
    else if (!names.has(name)) {
      names.add(name);
      found.paths.push({ variant, ...completed, keys });
    }
    for (const key of targetsOf(full)) covered.add(key);
  };
  for (const variant of Object.keys(VARIANTS) as VariantName[]) {
    const { depth } = VARIANTS[variant] as Variant;
    const budget = (events: readonly GroupModelEvent[]) =>
      budgetOf(events, Math.max(maxDepth, depth ?? 0), rebootDepth);
    // The most events left to explore from each abstract state reached so far.
    const seen = new Map<string, number>();
    const root = replayModel(variant, []);
    consider(variant, [], root);
    // Each node keeps the events that lead to it and those it may take next, not its model:
    // a model is replayed where it is needed (keeping them all costs more in collection).
    const queue = [{ events: [] as GroupModelEvent[], next: modelEvents(root) }];
    for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      if (budget(node.events) <= 0) continue;
      for (const event of node.next) {
        const events = [...node.events, event];
        const model = replayModel(variant, events);
        if (model.invalid) continue;
        consider(variant, events, model);
        const stuck = stuckGroups(model);
        const key = abstractKey(model);
        if (stuck.length > 0) {
          const what = `${variant}: ${stuck.join(', ')}`;
          if (!stuckSeen.has(what)) {
            stuckSeen.add(what);
            found.stuck.push(`${describeEvents(variant, events)} ⇒ ${stuck.join(', ')}`);
          }
          continue;
        }
        const left = budget(events);
        if ((seen.get(key) ?? -1) >= left) continue;
        seen.set(key, left);
        queue.push({ events, next: modelEvents(model) });
      }
    }
  }
  return found;
}

// What a path is kept for: the group transitions it takes, and the run transitions after its
// reboot (how the next supervisor takes up each run: killed, reattached, held, lost...).
function targetsOf(model: GroupModel): string[] {
  const rebooted =
    model.reboots === 0 ? [] : model.recorder.machineLog('run').slice(model.rebootedAt);
  return [...model.recorder.machineLog('group'), ...rebooted.map((key) => `rebooted run: ${key}`)];
}

// How many more events a path may take: up to `maxDepth` in all; after a `leave`, as many as
// its end and a reboot take (nothing else happens then); after the reboot, `rebootDepth`.
// After a kill shutdown, or a second shutdown, nothing new happens but its completion.
function budgetOf(events: readonly GroupModelEvent[], maxDepth: number, rebootDepth: number) {
  const reboot = events.findIndex((event) => event.type === 'REBOOT');
  const after = reboot < 0 ? [] : events.slice(reboot + 1);
  const ends = (event: GroupModelEvent) => event.type === 'LEAVE' || event.type === 'SHUTDOWN';
  if (events.some((event) => event.type === 'SHUTDOWN') || after.some(ends)) return 0;
  if (reboot >= 0) return rebootDepth - after.length;
  return events.some(ends) ? rebootDepth + 1 : maxDepth - events.length;
}

// On to the supervisor's end: held writes let through and stubborn members ended, then a
// kill shutdown; where a group then waits forever, a `leave` shutdown instead.
function complete(
  variant: VariantName,
  events: GroupModelEvent[],
): { events: GroupModelEvent[]; stuck: boolean } | null {
  const kill = finish(variant, events, 'SHUTDOWN');
  if (kill !== null) return { events: kill, stuck: false };
  const leave = finish(variant, events, 'LEAVE');
  return leave === null ? null : { events: leave, stuck: true };
}

function finish(
  variant: VariantName,
  start: GroupModelEvent[],
  shutdown: 'SHUTDOWN' | 'LEAVE',
): GroupModelEvent[] | null {
  const model = replayModel(variant, start);
  const events = [...start];
  for (;;) {
    if (model.ended) return events;
    const possible = modelEvents(model);
    // What waits for the driver goes on first; the shutdown once nothing does.
    const next =
      possible.find((event) => ['OPEN', 'OPEN_GROUP', 'KILL'].includes(event.type)) ??
      possible.find((event) => event.type === shutdown);
    if (next === undefined) return null;
    model.apply(next);
    events.push(next);
  }
}

/** A readable, unique name: the variant, then each event (and what it is about). */
export function describeEvents(variant: string, events: readonly GroupModelEvent[]): string {
  // The event's type first, then what it is about (a member, a group, a policy).
  const steps = events.map((event) => Object.values(event).join(' '));
  return `${variant}: ${steps.join(' → ')}`;
}
