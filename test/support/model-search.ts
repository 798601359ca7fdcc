// Picks the paths the model-based tests replay: a breadth-first search over the model's
// abstract states (model-paths.ts) from each descriptor variant; the first edge that takes a
// transition not covered yet becomes a path, completed to an end the world reaches by itself
// or by a cancel (a `leave` shutdown only where nothing else ends it).
import {
  abstractKey,
  replay,
  VARIANTS,
  type ModelEvent,
  type ModelPath,
  type ModelRun,
  type Variant,
} from './model-paths.js';
import { worldEvents } from './model-world-events.js';

const TERMINAL = new Set(['done', 'refused', 'released']);

/** Paths that together take every transition the world can cause, shortest first. */
export function selectPaths(
  cover: 'transitions' | 'pairs' = 'transitions',
  maxDepth = 14,
): ModelPath[] {
  const covered = new Set<string>();
  const selected: ModelPath[] = [];
  const seen = new Set<string>();
  // Each node keeps the run its events led to (replayed once, as it was reached).
  const queue: Array<{ variant: Variant; events: ModelEvent[]; run: ModelRun }> = [];
  for (const variant of Object.keys(VARIANTS) as Variant[])
    queue.push({ variant, events: [], run: replay(variant, []).run });
  for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
    if (node.events.length >= maxDepth) continue;
    for (const event of worldEvents(node.run)) {
      const events = [...node.events, event];
      const next = replay(node.variant, events);
      const keys = next.steps.at(-1)?.keys ?? [];
      // A pair: a transition, and the one taken before it (in this run's life).
      const before = next.steps.at(-2)?.keys.at(-1) ?? 'start';
      const pairs = keys.map((key, i) => `${keys[i - 1] ?? before} => ${key}`);
      const fresh = (cover === 'pairs' ? pairs : keys).some((key) => !covered.has(key));
      if (fresh) {
        for (const pair of pairs) covered.add(pair);
        const path = {
          variant: node.variant,
          steps: replay(node.variant, complete(node.variant, events)).steps,
        };
        const taken = path.steps.flatMap((step) => step.keys);
        for (const [i, key] of taken.entries()) {
          covered.add(key);
          covered.add(`${taken[i - 1] ?? 'start'} => ${key}`);
        }
        selected.push(path);
      }
      const key = abstractKey(next.run);
      if (!seen.has(key)) {
        seen.add(key);
        queue.push({ variant: node.variant, events, run: next.run });
      }
    }
  }
  return selected;
}

// The shortest way on to an end: first without a `leave` shutdown or a reboot.
function complete(variant: Variant, events: ModelEvent[]): ModelEvent[] {
  for (const allowLeave of [false, true]) {
    const found = search(variant, events, allowLeave);
    if (found !== null) return found;
  }
  throw new Error(`no end reachable after ${events.map((e) => e.type).join(' ')}`);
}

function search(variant: Variant, start: ModelEvent[], allowLeave: boolean): ModelEvent[] | null {
  const queue = [start];
  const seen = new Set<string>();
  for (let events = queue.shift(); events !== undefined; events = queue.shift()) {
    const { run } = replay(variant, events);
    if (TERMINAL.has(run.value)) return events;
    if (events.length > start.length + 8) continue;
    const key = abstractKey(run);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const event of worldEvents(run)) {
      if (!allowLeave && (event.type === 'RELEASE' || event.type === 'ADOPT')) continue;
      queue.push([...events, event]);
    }
  }
  return null;
}

/** A readable, unique name: the variant, then `EVENT[guard]` per step. */
export function describePath(path: ModelPath): string {
  const steps = path.steps.map((step) => {
    const guarded = step.keys
      .map((key) => /--[A-Za-z_.]+\[(\w+)\]-->/.exec(key)?.[1])
      .filter((guard) => guard !== undefined && guard !== 'adopted');
    const name = step.event.type === 'ADOPT' ? 'boot:ADOPT' : step.event.type;
    return guarded.length === 0 ? name : `${name}[${guarded.join(',')}]`;
  });
  return `${path.variant}: ${steps.join(' → ')}`;
}
