// Between the model's steps and the real world: the fixture a run executes, what a path
// needs from the world (decided before anything starts), which events the driver causes,
// and the facts of a run the model fixes, in a form the model's context, the real run
// actor's context and `sup.get(id)` all have.
import type { RunContext } from '../../src/machines/run-context.js';
import type { RunInfo, RunStateName } from '../../src/types.js';
import {
  initialWorld,
  VARIANTS,
  type ModelPath,
  type ModelStep,
  type World,
} from './model-paths.js';
import { reattachesSibling } from './model-group-world.js';
import type { Recorded } from './transition-recorder.js';

// The run's process, quiet unless told: any byte it printed on its own would be an OUTPUT
// transition the model does not take. It says it is ready (its SIGTERM handler is set) by
// creating a file, prints "out" for an "out" line on stdin, exits N on "exit N", and on
// SIGTERM exits 143, printing "term" first with --say-term, or runs on with --ignore-term.
// Its pipes may lead to a supervisor that left: a failed write is not its end.
export const FIXTURE = `
const [ready, ...flags] = process.argv.slice(1);
process.stdout.on('error', () => undefined);
process.on('SIGTERM', () => {
  if (flags.includes('--say-term')) process.stdout.write('term\\n');
  if (!flags.includes('--ignore-term')) process.exit(143);
});
require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, argument] = line.trim().split(/\\s+/);
  if (command === 'out') process.stdout.write('out\\n');
  if (command === 'exit') process.exit(Number(argument));
});
setInterval(() => undefined, 1 << 30);
require('node:fs').writeFileSync(ready, '');
`;

/** What the path needs from the world, decided before anything starts. */
export interface Plan {
  readonly descriptor: (typeof VARIANTS)[keyof typeof VARIANTS];
  /** The write-ahead record lands, is held until the driver opens it, or is refused. */
  readonly writeAhead: 'pass' | 'hold' | 'refuse';
  /** A predecessor that ignores SIGTERM keeps the subject waiting in `replacing`. */
  readonly holdInReplacing: boolean;
  /**
   * The subject runs in groups (model-group-world.ts), with a sibling that fails on demand.
   * With `predecessorInGroup`, its predecessor (which ignores SIGTERM) is a child of the top
   * group: stopped by the group too, its end lets the subject launch just as the group
   * stops the subject (a RECYCLE in `spawning`).
   */
  readonly group: boolean;
  readonly predecessorInGroup: boolean;
  /** The next boot reattaches the sibling (the subject's identity cannot be read there). */
  readonly siblingReattached: boolean;
  readonly spawnFails: boolean;
  /** Caused the moment the run enters `spawning`, in this order. */
  readonly onSpawning: ReadonlyArray<'CANCEL' | 'RELEASE'>;
  readonly ignoreTerm: boolean;
  readonly sayTerm: boolean;
}

export function plan(path: ModelPath): Plan {
  const first = path.steps[0]?.event.type;
  const during = (state: RunStateName, type: string) =>
    path.steps.some((step) => step.before === state && step.event.type === type);
  return {
    descriptor: VARIANTS[path.variant],
    writeAhead:
      first === 'WRITE_AHEAD_DONE' ? 'pass' : first === 'WRITE_AHEAD_FAILED' ? 'refuse' : 'hold',
    holdInReplacing: ['CANCEL', 'RELEASE', 'RECYCLE'].some((type) => during('replacing', type)),
    group: 'group' in VARIANTS[path.variant],
    predecessorInGroup: during('spawning', 'RECYCLE'),
    siblingReattached: path.steps.some((step) => reattachesSibling(step.event)),
    spawnFails: path.steps.some((step) => step.event.type === 'SPAWN_FAILED'),
    onSpawning: path.steps.flatMap((step) =>
      step.before === 'spawning' && (step.event.type === 'CANCEL' || step.event.type === 'RELEASE')
        ? [step.event.type]
        : [],
    ),
    ignoreTerm: ['CANCEL', 'RELEASE', 'RECYCLE'].some((type) => during('finalizing', type)),
    sayTerm: during('finalizing', 'OUTPUT'),
  };
}

/**
 * Whether the driver causes step `index` (else the world, or the boot it started, produces
 * it): the run must stand still before such a step, so the supervisor's view is checked there.
 */
export function causedByDriver(path: ModelPath, index: number, p: Plan): boolean {
  const step = path.steps[index];
  if (step === undefined) return false;
  const { before, event } = step;
  switch (event.type) {
    case 'CANCEL':
    case 'RELEASE':
    case 'RECYCLE':
      return before !== 'spawning';
    // The driver ends the predecessor its group stopped (it ignores SIGTERM).
    case 'PREDECESSORS_DONE':
      return p.predecessorInGroup;
    case 'OUTPUT':
      return before !== 'finalizing';
    case 'TICK':
    case 'RESTART_DUE':
    case 'RESUME':
    case 'ADOPT':
      return true;
    case 'EXITED':
      return before !== 'finalizing' || killsInFinalizing(p, worldBefore(path, index));
    default:
      return false;
  }
}

/** In `finalizing`, the driver ends a live process that ignores SIGTERM itself. */
export function killsInFinalizing(p: Plan, world: World): boolean {
  return p.ignoreTerm && world.proc === 'alive' && world.ready;
}

/** The world before step `index`. */
export function worldBefore(path: ModelPath, index: number): World {
  return path.steps[index - 1]?.world ?? initialWorld(path.variant);
}

/** What the model fixes about a run, in a form both the model and the real run have. */
export function publicFacts(
  value: RunStateName,
  run: Pick<RunInfo, 'identity' | 'startedAt' | 'lastOutputAt' | 'deadlines' | 'exit'>,
) {
  const since = (at: number | null, from: number | null) =>
    at === null ? null : at - (from ?? Number.NaN);
  const outputFrom = run.lastOutputAt ?? run.startedAt;
  return {
    state: value,
    identity: run.identity !== null,
    output: run.lastOutputAt !== null,
    // Absolute deadlines on two different clocks: each is compared as its distance from
    // what it counts from (the start, or the last output).
    deadlines: {
      timeoutAt: since(run.deadlines.timeoutAt, run.startedAt),
      noOutputAt: since(run.deadlines.noOutputAt, outputFrom),
      idleAt: since(run.deadlines.idleAt, outputFrom),
    },
    exit:
      run.exit === null
        ? null
        : {
            reason: run.exit.reason,
            timedOut: run.exit.timedOut,
            noOutputTimedOut: run.exit.noOutputTimedOut,
          },
  };
}

/** The same, plus what only the machine's context holds. */
export function machineFacts(value: RunStateName, context: RunContext) {
  return {
    ...publicFacts(value, context),
    origin: context.origin,
    endReason: context.endReason,
    processExit: context.processExit !== null,
    termination: context.termination !== null,
    generation: context.generation,
    restarts: context.restarts,
    backoff: context.nextStartAt !== null,
    stopped: context.stopReason !== null,
    recycling: context.recycling,
  };
}

/**
 * Index (in `recorded`) of the last of `keys` once the run took them all after `cursor`;
 * null while some are missing. Throws as soon as a transition differs from the model's,
 * so an unexpected transition fails the step instead of being skipped.
 */
export function matchKeys(
  recorded: readonly Recorded[],
  cursor: number,
  keys: readonly string[],
  what: string,
): number | null {
  const taken = recorded
    .map((entry, at) => ({ entry, at }))
    .slice(cursor)
    .flatMap(({ entry, at }) => (entry.kind === 'transition' ? [{ key: entry.key, at }] : []));
  for (const [i, key] of keys.entries()) {
    const real = taken[i];
    if (real === undefined) return null;
    if (real.key !== key) {
      const took = taken.map((t) => t.key).join(' ; ');
      throw new Error(
        `${what}: the model takes [${keys.join(' ; ')}], the real run took [${took}]`,
      );
    }
  }
  return taken[keys.length - 1]?.at ?? null;
}

export type { ModelStep };
