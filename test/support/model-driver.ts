// Realizes an abstract path of the run machine (from xstate/graph) with a real supervisor,
// a real child process and a real SQLite store. Events the world produces by itself
// (the process exiting, the tree dying) are awaited; the others are caused.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createSupervisor, type RunHandle, type Supervisor } from '../../src/index.js';
import type { RunContext } from '../../src/machines/run-context.js';
import type { RunEvent } from '../../src/machines/run-events.js';
import { checkIdentity, type ProcessIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import type { RunStateName } from '../../src/types.js';
import { ManualClock } from './manual-clock.js';
import { createTempHome } from './temp-home.js';
import type { TransitionRecorder } from './transition-recorder.js';
import { waitUntil } from './wait-for.js';

/** One abstract step: the event, the model state it leads to, the transitions it takes. */
export interface ModelStep {
  readonly event: RunEvent;
  readonly state: { readonly value: RunStateName; readonly context: RunContext };
  /** Transition keys the pure machine took for this step, in order. */
  readonly keys: readonly string[];
}

const FIXTURE = fileURLToPath(new URL('../fixtures/controllable.mjs', import.meta.url));
const WAIT_MS = 15_000;

/** What the path needs from the world, decided before anything starts. */
interface Plan {
  readonly holdInReplacing: boolean;
  readonly spawnFails: boolean;
  readonly leaveWhileSpawning: boolean;
  readonly ignoreTerm: boolean;
  readonly onOrphan: 'kill' | 'reattach';
}

function plan(steps: readonly ModelStep[]): Plan {
  let before: RunStateName = 'replacing';
  const plan = {
    holdInReplacing: false,
    spawnFails: false,
    leaveWhileSpawning: false,
    ignoreTerm: false,
    onOrphan: 'kill' as 'kill' | 'reattach',
  };
  for (const [index, step] of steps.entries()) {
    const type = step.event.type;
    if (index === 0 && before === 'replacing' && type !== 'PREDECESSORS_DONE')
      plan.holdInReplacing = true;
    if (type === 'SPAWN_FAILED') plan.spawnFails = true;
    if (type === 'ORPHANED' && before === 'spawning') plan.leaveWhileSpawning = true;
    if (type === 'ORPHANED' && before === 'finalizing') plan.ignoreTerm = true;
    if (type === 'REATTACH') plan.onOrphan = 'reattach';
    before = step.state.value;
  }
  return plan;
}

/** Drives one path; throws with a description when the real run diverges from the model. */
export class ModelDriver {
  private readonly home = createTempHome('runwarden-model-');
  private readonly clock = new ManualClock();
  private sup!: Supervisor;
  private runId = '';
  private run: RunHandle | undefined;
  private reattached = false;
  private cursor = 0;

  constructor(
    private readonly steps: readonly ModelStep[],
    private readonly recorder: TransitionRecorder,
  ) {}

  async execute(): Promise<void> {
    const p = plan(this.steps);
    this.sup = await this.boot();
    await this.start(p);
    let before: RunStateName = 'replacing';
    for (const [index, step] of this.steps.entries()) {
      await this.realize(step, before, this.steps[index + 1], p);
      await this.expectState(step);
      before = step.state.value;
    }
  }

  /** Finalizes whatever is left, verifies it, removes the home. */
  async cleanup(): Promise<void> {
    this.recorder.pause();
    try {
      await this.sup.shutdown();
    } finally {
      this.recorder.resume();
      this.home.remove();
    }
  }

  private boot(): Promise<Supervisor> {
    return createSupervisor({
      home: this.home.path,
      clock: this.clock,
      inspect: this.recorder.inspect,
    });
  }

  private spec(p: Plan, scopeKey: string) {
    return {
      command: p.spawnFails ? 'runwarden-no-such-command' : process.execPath,
      args: p.spawnFails ? [] : [FIXTURE, ...(p.ignoreTerm ? ['--ignore-term'] : [])],
      scopeKey,
      replaceExistingScope: true,
      timeoutMs: 10_000,
      noOutputTimeoutMs: 5_000,
      idleAfterMs: 1_000,
      killGraceMs: 1_500,
      onOrphan: p.onOrphan,
    };
  }

  private async start(p: Plan): Promise<void> {
    if (p.holdInReplacing) {
      // A predecessor that ignores SIGTERM keeps the subject waiting in `replacing`.
      await this.sup.spawn({
        command: process.execPath,
        args: [FIXTURE, '--ignore-term'],
        scopeKey: 'model',
        killGraceMs: 3_000,
      });
    }
    if (p.leaveWhileSpawning) {
      const left = new Promise<void>((resolve) => {
        const unsubscribe = this.sup.onEvent((event) => {
          if (event.type === 'run.state' && event.to === 'spawning') {
            unsubscribe();
            this.runId = event.runId;
            void this.sup.shutdown({ runs: 'leave' }).then(resolve);
          }
        });
      });
      void this.sup.spawn(this.spec(p, 'model')).catch(() => undefined);
      await left;
      return;
    }
    const spawned = this.sup.spawn(this.spec(p, 'model'));
    if (p.holdInReplacing) {
      // spawn() resolves only after replacing; find the subject by its state instead.
      await waitUntil(
        () => this.sup.list().find((r) => r.state === 'replacing'),
        WAIT_MS,
        'subject in replacing',
      );
      this.runId = this.sup.list().find((r) => r.state === 'replacing')?.id ?? '';
      this.run = this.sup.handle(this.runId);
      void spawned.catch(() => undefined);
      return;
    }
    this.run = await spawned;
    this.runId = this.run.id;
    // The fixture prints "ready" once started; after that it is silent until told.
    if (!p.spawnFails) {
      await waitUntil(
        () => this.handle().output().text.includes('ready'),
        WAIT_MS,
        'the fixture to be ready',
      );
    }
  }

  private async realize(
    step: ModelStep,
    before: RunStateName,
    next: ModelStep | undefined,
    p: Plan,
  ): Promise<void> {
    const event = step.event;
    switch (event.type) {
      case 'OUTPUT':
        if (before === 'finalizing') {
          // The fixture prints "term" when SIGTERM arrives.
          await waitUntil(
            () => this.handle().output().text.includes('term'),
            WAIT_MS,
            'output while finalizing',
          );
          return;
        }
        return this.writeAndWait(
          'out\n',
          (info) => info.outputBytes > 0 && info.state === step.state.value,
        );
      case 'TICK':
        return this.tick(step);
      case 'EXITED':
        if (before === 'running' || before === 'idle') {
          if (this.reattached) return this.killVerified(this.info().identity);
          this.handle().write('exit 3\n');
        }
        return;
      case 'CANCEL':
        if (before !== 'orphaned') void this.sup.cancel(this.runId, event.reason);
        return;
      case 'ORPHANED':
        return this.orphan(before, next, p);
      default:
        // PREDECESSORS_DONE, SPAWNED, SPAWN_FAILED, TREE_DEAD, REATTACH, LOST: the world
        // (or the boot that ORPHANED started) produces these; expectState waits for them.
        return;
    }
  }

  private async orphan(before: RunStateName, next: ModelStep | undefined, p: Plan): Promise<void> {
    const identity = before === 'spawning' || before === 'replacing' ? null : this.info().identity;
    if (!p.leaveWhileSpawning || before !== 'spawning') {
      await this.sup.shutdown({ runs: 'leave' });
    }
    if (next?.event.type === 'LOST' && identity !== null) await this.killVerified(identity);
    this.sup = await this.boot();
    this.run = this.sup.handle(this.runId);
    this.reattached = next?.event.type === 'REATTACH';
  }

  private async tick(step: ModelStep): Promise<void> {
    const info = this.info();
    const reason = step.state.context.endReason;
    const at =
      step.state.value === 'idle'
        ? info.deadlines.idleAt
        : reason === 'no-output-timeout'
          ? info.deadlines.noOutputAt
          : info.deadlines.timeoutAt;
    if (at === null) throw new Error(`no deadline for a TICK leading to ${step.state.value}`);
    this.clock.advanceTo(at);
    await sleep(0);
  }

  private async writeAndWait(
    data: string,
    done: (info: ReturnType<ModelDriver['info']>) => boolean,
  ): Promise<void> {
    const before = this.info().outputBytes;
    this.handle().write(data);
    await waitUntil(
      () => this.info().outputBytes > before && done(this.info()),
      WAIT_MS,
      `output after ${JSON.stringify(data)}`,
    );
  }

  // Ends the run's process from outside, by verified identity, and waits until it is gone.
  private async killVerified(identity: ProcessIdentity | null): Promise<void> {
    if (identity === null) return;
    signalVerified(identity, 'SIGKILL');
    await waitUntil(() => checkIdentity(identity) !== 'alive', WAIT_MS, 'the process to die');
  }

  // The real run must take the same transitions, in order; transitions the model's step
  // does not mention (for example output the fixture printed on its own) may come between.
  private async expectState(step: ModelStep): Promise<void> {
    let matched = this.cursor;
    await waitUntil(
      () => {
        const taken = this.recorder.of(this.runId);
        let at = this.cursor;
        for (const key of step.keys) {
          while (at < taken.length && taken[at] !== key) at++;
          if (at >= taken.length) return false;
          at++;
        }
        matched = at;
        return true;
      },
      WAIT_MS,
      `transitions ${step.keys.join(' ; ')} after ${step.event.type}; real run took ${this.recorder
        .of(this.runId)
        .slice(this.cursor)
        .join(' ; ')}`,
    );
    this.cursor = matched;
    if (step.state.value === 'done') {
      const reason = this.info().exit?.reason;
      const expected = step.state.context.exit?.reason;
      if (reason !== expected)
        throw new Error(`run ended with ${String(reason)}, model says ${String(expected)}`);
    }
  }

  private handle(): RunHandle {
    const run = this.run ?? this.sup.handle(this.runId);
    if (run === undefined) throw new Error(`no handle for run ${this.runId}`);
    return run;
  }

  private info() {
    const info = this.sup.get(this.runId);
    if (info === undefined) throw new Error(`run ${this.runId} is unknown to the supervisor`);
    return info;
  }
}
