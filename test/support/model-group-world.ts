// The groups around a model run of the `group` variant, as the run sees them. The run lives
// alone in `model/inner` (one-for-one: its own failures restart it there, on the group's
// timer), a child of the top group `model` (one-for-all, an intensity of one restart), whose
// other child, the sibling, fails on demand. A sibling's failure stops the whole top group
// (RECYCLE) and starts it again (RESUME), or, past the intensity, gives it up (GIVE_UP).
import { decideOrphan } from '../../src/machines/decide-orphan.js';
import type { RunContext } from '../../src/machines/run-context.js';
import type { RunEvent } from '../../src/machines/run-events.js';
import type { GroupOptions, RunStateName } from '../../src/types.js';

/** The top group and the run's own group, as the driver creates them. */
export const TOP_GROUP = {
  id: 'model',
  options: { strategy: 'one-for-all', maxRestarts: 1, restartWindowMs: 600_000 },
} as const satisfies { id: string; options: GroupOptions };
export const INNER_GROUP = {
  id: 'inner',
  options: { strategy: 'one-for-one', maxRestarts: 10, restartWindowMs: 600_000 },
} as const satisfies { id: string; options: GroupOptions };
export const GROUP_PATH = `${TOP_GROUP.id}/${INNER_GROUP.id}`;

/** What the run's world knows of its groups. */
export interface GroupWorld {
  /** Restarts the top group counted (each sibling failure within its intensity). */
  readonly restarts: number;
  /**
   * The top group runs its children, restarts them (the sibling failed), fails (past its
   * intensity: it gives up once every child stopped) or stops (cancelled).
   */
  readonly phase: 'active' | 'restarting' | 'failing' | 'stopping';
  /** The sibling is a run of the top group (a boot ends a sibling it finds running). */
  readonly sibling: boolean;
}

export const INITIAL_GROUP_WORLD: GroupWorld = { restarts: 0, phase: 'active', sibling: true };

/** The state the sibling rests in, in `world`: live (running or idle), held, or gone. */
export function siblingState(world: GroupWorld): 'live' | 'held' | 'gone' {
  if (!world.sibling || world.phase === 'stopping') return 'gone';
  return world.phase === 'active' ? 'live' : 'held';
}

/**
 * An adoption whose identity cannot be read leaves the run `orphaned`, where only its
 * group can stop it: there the sibling is reattached (its orphan policy), to fail again.
 */
export function reattachesSibling(event: RunEvent | { type: string }): boolean {
  return event.type === 'ADOPT' && 'facts' in event && decideOrphan(event.facts) === 'uncertain';
}

/** The group's world once the run took `event` from state `before`. */
export function nextGroupWorld(
  g: GroupWorld,
  before: RunStateName,
  event: RunEvent | { type: string },
): GroupWorld {
  switch (event.type) {
    // The sibling failed: the top group restarts, or (past its intensity) fails.
    case 'RECYCLE':
      return g.restarts < TOP_GROUP.options.maxRestarts
        ? { ...g, restarts: g.restarts + 1, phase: 'restarting' }
        : { ...g, phase: 'failing' };
    // Started again: every child of the top group runs again.
    case 'RESUME':
      return { ...g, phase: 'active' };
    // A held run is cancelled with its top group (the group's cancel).
    case 'CANCEL':
      return before === 'held' ? { ...g, phase: 'stopping', sibling: false } : g;
    // A sibling left running by a `leave` shutdown is ended by the next boot (policy kill),
    // or, where the run's identity cannot be read, reattached (see `reattachesSibling`).
    case 'ADOPT':
      return g.phase === 'active' && !reattachesSibling(event) ? { ...g, sibling: false } : g;
    default:
      return g;
  }
}

/**
 * The group's events for a run of the `group` variant in `state`: RECYCLE where the run
 * stands still until the driver fails the sibling (the write-ahead held, a predecessor that
 * holds `replacing`, a launch right after the predecessor ended, a stubborn process in
 * `finalizing`), and the held run's RESUME (the driver moves the clock to it), GIVE_UP (by
 * itself, once the failing group stopped everything), the group's CANCEL, or a RELEASE.
 */
export function groupEvents(
  state: RunStateName,
  c: RunContext,
  g: GroupWorld,
  at: number,
  stubborn: boolean,
): RunEvent[] {
  const recycle = { type: 'RECYCLE', at } as const;
  const canFail = g.phase === 'active' && g.sibling && !c.recycling;
  const first = c.generation === 1;
  switch (state) {
    case 'recording':
    case 'replacing':
      return first && canFail ? [recycle] : [];
    // Only as the first thing in `spawning`: the top group stops the run the moment its
    // predecessor ended (which let it launch), and the stop carries no time then.
    case 'spawning':
      return first && canFail && c.endReason === null && c.exit === null
        ? [{ type: 'RECYCLE' }]
        : [];
    case 'running':
    case 'idle':
    case 'orphaned':
      return canFail ? [recycle] : [];
    case 'finalizing':
      return stubborn && canFail ? [recycle] : [];
    case 'held':
      if (g.phase === 'failing') return [{ type: 'GIVE_UP', at }];
      return [
        { type: 'RESUME', now: at },
        { type: 'CANCEL', reason: 'cancelled', at },
        { type: 'RELEASE', at },
      ];
    default:
      return [];
  }
}
