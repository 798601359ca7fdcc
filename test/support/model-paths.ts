// The model side of the run machine's model-based tests: the events the real world can
// produce in each state (with the facts of the world the machine cannot see: is the process
// alive, do we hold its pipes, is the fixture ready, what do its groups do), replayed on the
// pure machine to learn the transitions each takes. A search over these abstract states
// picks paths that take every transition the world can cause; model-driver.ts replays each
// for real.
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import { decideOrphan } from '../../src/machines/decide-orphan.js';
import { describeTransition } from '../../src/machines/list-transitions.js';
import type { RunContext } from '../../src/machines/run-context.js';
import { nextDeadline } from '../../src/machines/run-deadlines.js';
import type { RunEvent } from '../../src/machines/run-events.js';
import type { RunDescriptor, RunStateName } from '../../src/types.js';
import {
  GROUP_PATH,
  INITIAL_GROUP_WORLD,
  nextGroupWorld,
  type GroupWorld,
} from './model-group-world.js';
import { spyEffects } from './model-spies.js';
import { descriptor } from './run-fixtures.js';

/** Time (on the manual clock) that passes while no supervisor runs. */
export const REBOOT_GAP_MS = 2_000;
/** Time that passes before each output the driver asks for (one OUTPUT event each). */
export const OUTPUT_STEP_MS = 250;

const deadlines = (idle: number, noOutput: number, timeout: number) => ({
  idleAfterMs: idle,
  noOutputTimeoutMs: noOutput,
  timeoutMs: timeout,
});
/** Descriptor variants: scope replacement, orphan policy, and which deadline comes first. */
export const VARIANTS = {
  replace: { replaceExistingScope: true, onOrphan: 'kill', ...deadlines(1_000, 5_000, 10_000) },
  reattach: {
    replaceExistingScope: false,
    onOrphan: 'reattach',
    ...deadlines(1_000, 5_000, 3_000),
  },
  silent: { replaceExistingScope: false, onOrphan: 'kill', ...deadlines(2_000, 1_000, 10_000) },
  short: { replaceExistingScope: false, onOrphan: 'kill', ...deadlines(2_000, 5_000, 1_000) },
  // Restarted once, whatever ends it; the second end spends the intensity. Its delay
  // outlasts a reboot (REBOOT_GAP_MS), so a released run waits in `backoff` on the next boot.
  restart: {
    replaceExistingScope: false,
    onOrphan: 'kill',
    ...deadlines(2_000, 5_000, 10_000),
    restart: 'always',
    restartDelayMs: 3_000,
    maxRestartDelayMs: 3_000,
    maxRestarts: 1,
    restartWindowMs: 600_000,
  },
  // A run of a group, in a world of groups (model-group-world.ts). Its groups start it
  // again (no delay of its own); it replaces its scope, so a predecessor can hold it.
  group: {
    replaceExistingScope: true,
    onOrphan: 'kill',
    ...deadlines(2_000, 5_000, 10_000),
    restart: 'always',
    restartDelayMs: 0,
    maxRestartDelayMs: 0,
    maxRestarts: 10,
    restartWindowMs: 600_000,
    group: GROUP_PATH,
  },
  // A temporary child of the same groups (OTP): its group's restart ends it.
  temporary: {
    replaceExistingScope: true,
    onOrphan: 'kill',
    ...deadlines(2_000, 5_000, 10_000),
    restart: 'never',
    group: GROUP_PATH,
  },
} as const satisfies Record<string, Partial<RunDescriptor>>;
export type Variant = keyof typeof VARIANTS;

/** What the world knows and the machine does not. */
export interface World {
  /** The run's process: not started, alive, or dead. */
  readonly proc: 'none' | 'alive' | 'dead';
  /** Its SIGTERM handler is set (its fixture said it is ready). */
  readonly ready: boolean;
  /** The fixture already printed its SIGTERM line. */
  readonly termSaid: boolean;
  /** The record's identity names another host (boot cannot verify it). */
  readonly foreign: boolean;
  /** The manual clock, from the start of the path. */
  readonly clock: number;
  /** When the watchdog of the current state fires (null: not armed). */
  readonly armedAt: number | null;
  /** The run's groups (null: a run of no group). */
  readonly group: GroupWorld | null;
}

/** A world event: a run event, or the write-ahead's outcome, as the runtime produces it. */
export type ModelEvent = RunEvent | { type: 'WRITE_AHEAD_DONE' } | { type: 'WRITE_AHEAD_FAILED' };

/** One abstract step: the event, the state it leads to, the transitions it takes. */
export interface ModelStep {
  readonly event: ModelEvent;
  /** The state the run was in before it. */
  readonly before: RunStateName;
  readonly state: { readonly value: RunStateName; readonly context: RunContext };
  readonly world: World;
  readonly keys: readonly string[];
}

export interface ModelPath {
  readonly variant: Variant;
  readonly steps: readonly ModelStep[];
}

const INVOKE = runMachine().root.states.recording?.invoke[0]?.id ?? '';

function runMachine() {
  // The model never has a parent: asking one for the predecessors is the driver's business.
  return spyEffects().run.provide({ actions: { requestReplacement: () => undefined } });
}

/** The world before anything happened. */
export const INITIAL_WORLD: World = {
  proc: 'none',
  ready: false,
  termSaid: false,
  foreign: false,
  clock: 0,
  armedAt: null,
  group: null,
};

/** The world of a `variant` run before anything happened. */
export function initialWorld(variant: Variant): World {
  return 'group' in VARIANTS[variant]
    ? { ...INITIAL_WORLD, group: INITIAL_GROUP_WORLD }
    : INITIAL_WORLD;
}

/** A run of the model: its pure actor now, and the world around it. */
export class ModelRun {
  actor: Actor<ReturnType<typeof runMachine>>;
  world: World;
  private taken: string[] = [];

  constructor(readonly variant: Variant) {
    this.world = initialWorld(variant);
    const input = {
      runId: 'model',
      descriptor: descriptor({ scopeKey: 'model', ...VARIANTS[variant] }),
      createdAt: 0,
    };
    this.actor = this.start({ input });
    this.started = this.taken;
  }

  /** The transitions the run took as it started. */
  readonly started: string[];

  get value(): RunStateName {
    // `created` is left in the first macrostep: no snapshot is ever in it.
    return this.actor.getSnapshot().value as RunStateName;
  }

  get context(): RunContext {
    return this.actor.getSnapshot().context;
  }

  /** Applies `event`; returns the transitions it took. */
  apply(event: ModelEvent): string[] {
    this.taken = [];
    const before = this.value;
    const w = { ...this.world };
    switch (event.type) {
      case 'WRITE_AHEAD_DONE':
        this.send({ type: `xstate.done.actor.${INVOKE}` });
        break;
      case 'WRITE_AHEAD_FAILED':
        this.send({ type: `xstate.error.actor.${INVOKE}`, error: new Error('refused') });
        break;
      case 'ADOPT': {
        const record = JSON.parse(JSON.stringify(this.context)) as RunContext;
        w.clock = event.at;
        if (decideOrphan(event.facts) !== 'reattach' && decideOrphan(event.facts) !== 'kill')
          w.proc = w.proc === 'alive' ? 'dead' : w.proc;
        if (decideOrphan(event.facts) === 'uncertain') w.foreign = true;
        this.actor = this.start({ input: { record } });
        this.send(event);
        break;
      }
      default:
        if (event.type === 'TICK') w.clock = event.now;
        // A new generation: a new process, not started yet.
        if (event.type === 'RESTART_DUE' || event.type === 'RESUME')
          Object.assign(w, { clock: event.now, proc: 'none', ready: false, termSaid: false });
        if (event.type === 'OUTPUT' && before !== 'finalizing') w.clock = event.at;
        if (event.type === 'OUTPUT' && before === 'finalizing') w.termSaid = true;
        if (event.type === 'SPAWNED') w.proc = 'alive';
        if (event.type === 'EXITED') w.proc = 'dead';
        this.send(event);
    }
    // Entering running or idle (again) arms the watchdog at the earliest deadline.
    const entered = this.taken.some((key) => /--> (running|idle)$/.test(key));
    if (entered) w.armedAt = nextDeadline(this.context.deadlines, this.value === 'idle');
    if (this.value !== 'running' && this.value !== 'idle') w.armedAt = null;
    if (w.group !== null) w.group = nextGroupWorld(w.group, before, event);
    this.world = w;
    return this.taken;
  }

  private start(options: object) {
    const actor = createActor(runMachine(), {
      ...options,
      inspect: (event: InspectionEvent) => {
        if (event.type !== '@xstate.microstep') return;
        for (const transition of event._transitions)
          this.taken.push(describeTransition(transition).key);
      },
    } as never);
    actor.start();
    return actor;
  }

  private send(event: object): void {
    this.actor.send(event as never);
  }
}

/** The abstract state: what decides which events come next, and what they lead to. */
export function abstractKey(run: ModelRun): string {
  const { context: c, world: w } = run;
  return JSON.stringify([
    run.variant,
    run.value,
    c.origin,
    c.identity !== null,
    c.processExit !== null,
    c.termination !== null,
    c.endReason,
    c.exit?.reason ?? null,
    c.lastOutputAt !== null,
    c.generation,
    c.nextStartAt !== null,
    c.stopReason !== null,
    c.recycling,
    w.proc,
    w.ready,
    w.termSaid,
    w.foreign,
    w.armedAt === null ? null : Math.max(0, w.armedAt - w.clock) > OUTPUT_STEP_MS,
    w.group,
  ]);
}

/** Replays `events` of `variant` on a fresh model run. */
export function replay(
  variant: Variant,
  events: readonly ModelEvent[],
): { run: ModelRun; steps: ModelStep[] } {
  const run = new ModelRun(variant);
  // The first step also shows what the run did as it started (`created` to `recording`).
  let started = run.started;
  const steps = events.map((event) => {
    const before = run.value;
    const keys = [...started, ...run.apply(event)];
    started = [];
    // A launched fixture is ready before the driver causes anything else.
    if (event.type === 'SPAWNED' && run.value !== 'finalizing')
      run.world = { ...run.world, ready: true };
    return {
      event,
      before,
      state: { value: run.value, context: run.context },
      world: run.world,
      keys,
    };
  });
  return { run, steps };
}
