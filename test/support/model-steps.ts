// The model side of the model-based tests: an abstract step, what a path needs from the
// world, which events the driver causes, and the facts of a run the model fixes, in a form
// the model's context, the real run actor's context and `sup.get(id)` all have.
import type { RunContext } from '../../src/machines/run-context.js';
import type { RunEvent } from '../../src/machines/run-events.js';
import type { RunInfo, RunStateName } from '../../src/types.js';
import type { Recorded } from './transition-recorder.js';

/** One abstract step: the event, the model state it leads to, the transitions it takes. */
export interface ModelStep {
  readonly event: RunEvent;
  readonly state: { readonly value: RunStateName; readonly context: RunContext };
  /** Transition keys the pure machine took for this step, in order. */
  readonly keys: readonly string[];
}

// The run's process, quiet unless told: any byte it printed on its own would be an OUTPUT
// transition the model does not take. It says it is ready (its SIGTERM handler is set) by
// creating a file, prints "out" for an "out" line on stdin, exits N on "exit N", and on
// SIGTERM exits 143, printing "term" first with --say-term, or runs on with --ignore-term.
export const FIXTURE = `
const [ready, ...flags] = process.argv.slice(1);
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
  readonly holdInReplacing: boolean;
  readonly spawnFails: boolean;
  readonly leaveWhileSpawning: boolean;
  readonly ignoreTerm: boolean;
  readonly sayTerm: boolean;
  readonly onOrphan: 'kill' | 'reattach';
}

export function plan(steps: readonly ModelStep[]): Plan {
  const plan = {
    holdInReplacing: steps[0]?.event.type !== 'PREDECESSORS_DONE',
    spawnFails: false,
    leaveWhileSpawning: false,
    ignoreTerm: false,
    sayTerm: false,
    onOrphan: 'kill' as 'kill' | 'reattach',
  };
  stepsWithBefore(steps).forEach(({ step, before }) => {
    const type = step.event.type;
    if (type === 'SPAWN_FAILED') plan.spawnFails = true;
    if (type === 'ORPHANED' && before === 'spawning') plan.leaveWhileSpawning = true;
    if (type === 'ORPHANED' && before === 'finalizing') plan.ignoreTerm = true;
    if (type === 'OUTPUT' && before === 'finalizing') plan.sayTerm = true;
    if (type === 'REATTACH') plan.onOrphan = 'reattach';
  });
  return plan;
}

export function stepsWithBefore(steps: readonly ModelStep[]) {
  return steps.map((step, index) => ({
    step,
    before: index === 0 ? 'replacing' : (steps[index - 1]?.state.value ?? 'replacing'),
  }));
}

// Whether the driver causes `event` in `before` (else the world, or a boot, produces it):
// a run before a caused event must stand still, so the supervisor's view is checked there.
export function causedByDriver(event: RunEvent, before: RunStateName): boolean {
  switch (event.type) {
    case 'OUTPUT':
      return before !== 'finalizing';
    case 'TICK':
      return true;
    case 'EXITED':
      return before === 'running' || before === 'idle';
    case 'CANCEL':
      return before !== 'orphaned';
    case 'ORPHANED':
      return before !== 'spawning';
    default:
      return false;
  }
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
    endReason: context.endReason,
    processExit: context.processExit !== null,
    termination: context.termination !== null,
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
