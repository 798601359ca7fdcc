// Realizes an abstract path of the run machine (from xstate/graph) with a real supervisor,
// a real child process and a real SQLite store. Events the world produces by itself
// (the process exiting, the tree dying) are awaited; the others are caused. After every
// step the real run must have taken exactly the model's transitions and be in the model's
// state, with the facts the model fixes (see `expectStep`). No extra transition is
// tolerated: the fixture prints nothing the driver did not ask for.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { createSupervisor, type RunHandle, type Supervisor } from '../../src/index.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { checkIdentity, type ProcessIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import type { RunInfo, RunStateName } from '../../src/types.js';
import { ManualClock } from './manual-clock.js';
import {
  FIXTURE,
  causedByDriver,
  machineFacts,
  matchKeys,
  plan,
  publicFacts,
  stepsWithBefore,
  type ModelStep,
  type Plan,
} from './model-steps.js';
import { createTempHome } from './temp-home.js';
import type { TransitionRecorder } from './transition-recorder.js';
import { waitUntil } from './wait-for.js';

const WAIT_MS = 15_000;
// Time that passes (on the manual clock) while no supervisor runs: a reattached run's
// overall deadline must stay where it was, not restart from the reattach.
const ORPHAN_GAP_MS = 2_000;
// Long enough that only the driver ends a process ignoring SIGTERM (by verified identity):
// the grace never runs out while the driver acts, however loaded the machine is.
const STUBBORN_GRACE_MS = 60_000;

/** Drives one path; throws with a description when the real run diverges from the model. */
export class ModelDriver {
  private readonly home = createTempHome('runwarden-model-');
  private readonly clock = new ManualClock();
  private readonly plan: Plan;
  private sup!: Supervisor;
  private booting = false;
  private runId = '';
  private predecessorId: string | null = null;
  private run: RunHandle | undefined;
  private reattached = false;
  /** Index in the run's recording after the last step matched. */
  private cursor = 0;
  private readyFiles = 0;

  constructor(
    private readonly steps: readonly ModelStep[],
    private readonly recorder: TransitionRecorder,
  ) {
    this.plan = plan(steps);
    recorder.setView((id) => (this.booting ? undefined : this.sup.get(id)));
  }

  async execute(): Promise<void> {
    this.sup = await this.boot();
    await this.start();
    for (const [index, { step, before }] of stepsWithBefore(this.steps).entries()) {
      await this.realize(step, before, this.steps[index + 1]);
      await this.expectStep(index);
    }
  }

  /** Ends what is left (by verified identity, then a kill shutdown), removes the home. */
  async cleanup(): Promise<void> {
    this.recorder.pause();
    this.recorder.setView(null);
    try {
      // The predecessor only held the subject in `replacing`; a path that failed midway may
      // leave the subject ignoring SIGTERM with a long grace, or left by a `leave`.
      await this.endMarked(this.predecessorId);
      await this.endMarked(this.runId);
      await this.sup.shutdown();
    } finally {
      this.recorder.resume();
      this.home.remove();
    }
  }

  private async boot(): Promise<Supervisor> {
    this.booting = true;
    try {
      return await createSupervisor({
        home: this.home.path,
        clock: this.clock,
        inspect: this.recorder.inspect,
      });
    } finally {
      this.booting = false;
    }
  }

  // The subject's (or the predecessor's) spec; `ready` exists once the fixture is ready.
  private fixture(flags: readonly string[], spec: object) {
    const ready = join(this.home.path, `ready-${++this.readyFiles}`);
    return {
      ready,
      spec: {
        command: process.execPath,
        args: ['-e', FIXTURE, ready, ...flags],
        ...spec,
      },
    };
  }

  private async start(): Promise<void> {
    const p = this.plan;
    if (p.holdInReplacing) {
      // A predecessor that ignores SIGTERM keeps the subject waiting in `replacing`.
      const { ready, spec } = this.fixture(['--ignore-term'], {
        scopeKey: 'model',
        killGraceMs: STUBBORN_GRACE_MS,
      });
      this.predecessorId = (await this.sup.spawn(spec)).id;
      await this.ready(ready);
    }
    const { ready, spec } = this.fixture(
      [...(p.ignoreTerm ? ['--ignore-term'] : []), ...(p.sayTerm ? ['--say-term'] : [])],
      {
        ...(p.spawnFails ? { command: 'runwarden-no-such-command', args: [] } : {}),
        scopeKey: 'model',
        replaceExistingScope: true,
        timeoutMs: 10_000,
        noOutputTimeoutMs: 5_000,
        idleAfterMs: 1_000,
        killGraceMs: p.ignoreTerm ? STUBBORN_GRACE_MS : 1_500,
        onOrphan: p.onOrphan,
      },
    );
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
      void this.sup.spawn(spec).catch(() => undefined);
      await left;
      return;
    }
    if (p.holdInReplacing) {
      // spawn() resolves only after replacing; find the subject by its state instead.
      void this.sup.spawn(spec).catch(() => undefined);
      const held = await waitUntil(
        () => this.sup.list().find((r) => r.state === 'replacing'),
        WAIT_MS,
        'subject in replacing',
      );
      this.runId = held.id;
      return;
    }
    this.run = await this.sup.spawn(spec);
    this.runId = this.run.id;
    if (!p.spawnFails) await this.ready(ready);
  }

  private async ready(file: string): Promise<void> {
    await waitUntil(() => existsSync(file), WAIT_MS, 'the fixture to be ready');
  }

  private async realize(
    step: ModelStep,
    before: RunStateName,
    next: ModelStep | undefined,
  ): Promise<void> {
    const event = step.event;
    switch (event.type) {
      case 'OUTPUT':
        // In `finalizing` the fixture prints "term" when SIGTERM arrives (--say-term).
        if (before !== 'finalizing') this.handle().write('out\n');
        return;
      case 'TICK':
        this.tick(step);
        return;
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
        return this.orphan(before, next);
      default:
        // PREDECESSORS_DONE, SPAWNED, SPAWN_FAILED, TREE_DEAD, REATTACH, LOST: the world
        // (or the boot that ORPHANED started) produces these; expectStep waits for them.
        return;
    }
  }

  private async orphan(before: RunStateName, next: ModelStep | undefined): Promise<void> {
    const identity = before === 'spawning' || before === 'replacing' ? null : this.info().identity;
    if (!this.plan.leaveWhileSpawning) await this.sup.shutdown({ runs: 'leave' });
    if (next?.event.type === 'LOST') await this.killVerified(identity);
    // The predecessor only held the subject in `replacing`: the boot need not end it.
    await this.endMarked(this.predecessorId);
    this.clock.advanceTo(this.clock.now() + ORPHAN_GAP_MS);
    this.sup = await this.boot();
    this.run = this.sup.handle(this.runId);
    this.reattached = next?.event.type === 'REATTACH';
  }

  private tick(step: ModelStep): void {
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
  }

  // The real run took exactly the step's transitions next (none missing, none extra, in
  // order), reached the model's state with the facts the model fixes, and the supervisor
  // showed that state at the end of the step. Before an event the driver causes, the run
  // must stand still in that state: `sup.get(id)` is read then, and nothing else happened.
  private async expectStep(index: number): Promise<void> {
    const step = this.steps[index];
    if (step === undefined || step.keys.length === 0) throw new Error(`no transition to observe`);
    const what = `step ${index + 1} (${step.event.type} into ${step.state.value})`;
    const end = await waitUntil(
      () => matchKeys(this.recorder.of(this.runId), this.cursor, step.keys, what),
      WAIT_MS,
      what,
    );
    const taken = this.recorder.of(this.runId);
    const expected = publicFacts(step.state.value, step.state.context);
    const last = taken[end];
    if (last?.kind !== 'transition') throw new Error(`${what}: no transition recorded`);
    expect(machineFacts(last.value, last.context), `${what}: the run actor`).toEqual(
      machineFacts(step.state.value, step.state.context),
    );
    for (const entry of taken.slice(end + 1)) {
      if (entry.kind === 'transition') break;
      expect(publicFacts(entry.info.state, entry.info), `${what}: sup.get(id)`).toEqual(expected);
    }
    const next = this.steps[index + 1];
    if (next === undefined || causedByDriver(next.event, step.state.value)) {
      const extra = taken.slice(end + 1).filter((entry) => entry.kind === 'transition');
      expect(extra, `${what}: transitions after it, before the next step`).toEqual([]);
      const info = this.info();
      expect(publicFacts(info.state, info), `${what}: sup.get(id) at rest`).toEqual(expected);
    }
    for (const key of step.keys) this.recorder.verified.add(key);
    this.cursor = end + 1;
  }

  // Ends a process from outside, by verified identity, and waits until it is gone.
  private async killVerified(identity: ProcessIdentity | null): Promise<void> {
    if (identity === null || checkIdentity(identity) !== 'alive') return;
    signalVerified(identity, 'SIGKILL');
    await waitUntil(() => checkIdentity(identity) !== 'alive', WAIT_MS, 'the process to die');
  }

  // Ends every process carrying the run's marker, by verified identity.
  private async endMarked(runId: string | null): Promise<void> {
    if (runId === null || runId === '') return;
    const marked = findMarkedProcesses(RUN_MARKER).found.filter((p) => p.value === runId);
    for (const { identity } of marked) await this.killVerified(identity);
  }

  private handle(): RunHandle {
    const run = this.run ?? this.sup.handle(this.runId);
    if (run === undefined) throw new Error(`no handle for run ${this.runId}`);
    return run;
  }

  private info(): RunInfo {
    const info = this.sup.get(this.runId);
    if (info === undefined) throw new Error(`run ${this.runId} is unknown to the supervisor`);
    return info;
  }
}
