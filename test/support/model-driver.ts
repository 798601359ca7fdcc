// Realizes a path of the run machine's model with real supervisors, a real child process
// and a real SQLite store (its record writes held or refused where the path says). Events
// the world produces by itself are awaited; the others are caused. After every step the
// real run must have taken exactly the model's transitions and be in the model's state,
// with the facts the model fixes. A path through `released` goes on with the next
// supervisor booted on the same home, which adopts the record. A run of the `group` variant
// runs in real groups (model-group.ts): they stop, start and give it up as the model says.
import { rmSync } from 'node:fs';
import { expect } from 'vitest';
import { decideOrphan } from '../../src/machines/decide-orphan.js';
import type { Supervisor } from '../../src/runtime/supervisor.js';
import type { RunInfo } from '../../src/types.js';
import { bootSupervisor, shutdownWithin } from './model-boot.js';
import { expectStep } from './model-expect.js';
import { stubbornPredecessor, subject } from './model-fixtures.js';
import { ModelGroups } from './model-group.js';
import type { ModelPath, ModelStep } from './model-paths.js';
import { causedByDriver, killsInFinalizing, plan, worldBefore, type Plan } from './model-steps.js';
import { openGatedStore, type GatedStore } from './model-store.js';
import { ModelWorld } from './model-world.js';
import type { TransitionRecorder } from './transition-recorder.js';
import { removeEmptyArea } from './cgroup-cleanup.js';

// A kill shutdown at rest takes well under a second; past this it is stuck.
const SHUTDOWN_MS = 30_000;

// A run's record as its write-ahead stores it.
const writesAhead = (record: unknown) =>
  (record as { snapshot?: { value?: unknown } }).snapshot?.value === 'recording';

/** Drives one path; throws with a description when the real run diverges from the model. */
export class ModelDriver {
  private readonly world = new ModelWorld('runwarden-model-');
  private readonly plan: Plan;
  private store!: GatedStore;
  private sup!: Supervisor;
  private booted: Promise<unknown> = Promise.resolve(null);
  private leaving: Promise<void> = Promise.resolve();
  private gate: { open(): void } | null = null;
  private runId = '';
  private predecessorId: string | null = null;
  private readonly groups: ModelGroups | null;
  private ready = '';
  /** Index in the run's recording after the last step matched. */
  private cursor = 0;
  private passed = false;

  constructor(
    private readonly path: ModelPath,
    private readonly recorder: TransitionRecorder,
  ) {
    this.plan = plan(path);
    this.groups = this.plan.group ? new ModelGroups(this.world, () => this.sup, recorder) : null;
    recorder.setView((id) => this.sup.get(id));
  }

  async execute(): Promise<void> {
    this.store = await openGatedStore(this.world.home.path);
    await this.boot();
    expect(await this.booted, 'the first boot').toBeNull();
    await this.start();
    for (const [index, step] of this.path.steps.entries()) {
      // The subject's groups rest too before the driver acts (a boot rebuilds them, a
      // restart may still go on); released, they rest with the supervisor that left them.
      const { group } = worldBefore(this.path, index);
      if (group !== null && causedByDriver(this.path, index, this.plan)) {
        await this.booted;
        if (step.before !== 'released') await this.groups?.settle(group);
      }
      await this.realize(step, index);
      this.cursor = await expectStep(
        {
          path: this.path,
          plan: this.plan,
          recorder: this.recorder,
          runId: this.runId,
          cursor: this.cursor,
          info: () => this.sup.get(this.runId),
        },
        index,
      );
      await this.afterStep(step);
    }
    this.passed = true;
  }

  /**
   * Ends what is left (by verified identity, then a kill shutdown), removes the home. The
   * sibling is left to the shutdown: its death by a signal would restart its group. A
   * shutdown that does not end (a group stuck mid-restart, after a failed step) leaves no
   * process behind either, and fails a path that passed.
   */
  async cleanup(): Promise<void> {
    this.recorder.pause();
    this.recorder.setView(null);
    let stuck: string | null = null;
    try {
      this.gate?.open();
      await this.world.endMarked(this.predecessorId);
      await this.world.endMarked(this.runId);
      await this.groups?.endPredecessor(false);
      await this.leaving;
      await this.booted;
      if (this.sup.state !== 'stopped') stuck = await shutdownWithin(this.sup, SHUTDOWN_MS);
      await this.world.endMarked(this.runId);
      await this.groups?.cleanup();
      await this.store.close();
      removeEmptyArea(this.sup.containment.cgroupArea);
    } finally {
      this.recorder.resume();
      this.world.home.remove();
    }
    if (stuck !== null && this.passed) throw new Error(stuck);
  }

  private async boot(): Promise<void> {
    const booting = await bootSupervisor({
      home: this.world.home.path,
      name: this.world.name,
      store: this.store.keyv,
      clock: this.world.clock,
      inspect: this.recorder.inspect,
    });
    this.sup = booting.sup;
    this.booted = booting.booted;
  }

  private async start(): Promise<void> {
    const p = this.plan;
    if (p.holdInReplacing) {
      const { ready, spec } = stubbornPredecessor(this.world);
      this.predecessorId = (await this.sup.spawn(spec)).id;
      await this.world.ready(ready);
    }
    const { ready, spec } = subject(this.world, p);
    this.ready = ready;
    const group = p.group
      ? await this.groups?.create(p.predecessorInGroup, p.siblingReattached)
      : undefined;
    const others = new Set([this.predecessorId, ...(this.groups?.others ?? [])]);
    const off = this.sup.onEvent((event) => {
      if (event.type !== 'run.state' || others.has(event.runId)) return;
      // Both happen as the run enters the state, before its effect acts.
      if (event.to === 'recording' && this.runId === '') {
        this.runId = event.runId;
        if (p.writeAhead !== 'pass')
          this.gate = this.store.gateNext(`${this.world.name}/run/${event.runId}`, p.writeAhead);
      }
      if (event.to === 'spawning' && event.runId === this.runId) {
        off();
        for (const action of p.onSpawning) {
          if (action === 'CANCEL') void this.sup.cancel(this.runId).catch(() => undefined);
          else this.leave();
        }
      }
    });
    void (group ?? this.sup).spawn(spec).catch(() => undefined);
    expect(this.runId, 'the subject was created').not.toBe('');
  }

  private leave(): void {
    this.leaving = this.sup.shutdown({ runs: 'leave' });
  }

  private async realize(step: ModelStep, index: number): Promise<void> {
    const { event, before } = step;
    switch (event.type) {
      case 'CANCEL':
        // A held run is cancelled with its group (the group's cancel).
        if (before === 'held') this.groups?.cancel();
        else if (before !== 'spawning') void this.sup.cancel(this.runId).catch(() => undefined);
        return;
      // Its group stops it: the sibling fails (in `spawning`: see PREDECESSORS_DONE).
      case 'RECYCLE':
        if (before !== 'spawning') await this.groups?.failSibling(before === 'orphaned');
        return;
      // Its group stops its predecessor, then it: the predecessor's end lets it launch.
      case 'PREDECESSORS_DONE':
        if (!this.plan.predecessorInGroup) return;
        await this.groups?.failSibling();
        await this.groups?.endPredecessor();
        return;
      // Its groups' timers start it (and the sibling) again.
      case 'RESUME':
        this.nextGeneration(index);
        this.world.advanceTo(event.now);
        return;
      case 'RELEASE':
        if (before !== 'spawning') this.leave();
        return;
      case 'OUTPUT':
        if (before === 'finalizing') return;
        this.world.advanceTo(event.at);
        this.handle().write('out\n');
        return;
      case 'TICK':
        this.world.advanceTo(event.now);
        return;
      case 'RESTART_DUE': {
        this.nextGeneration(index);
        // The real start time's jitter hashes the real run id: the model's time is moved
        // onto it, so the next generation's deadlines fall where the model puts them.
        const real = this.info().nextStartAt;
        if (real === null) throw new Error(`run ${this.runId} is not waiting to restart`);
        this.world.alignTo(event.now, real);
        this.world.advanceTo(event.now);
        return;
      }
      case 'EXITED':
        if (before === 'running' || before === 'idle') {
          // Its own exit: asked through its stdin, or (adopted: no pipes) by a signal.
          if (step.state.context.origin === 'spawn') this.handle().write('exit 3\n');
          else await this.world.killVerified(this.info().identity);
        } else if (killsInFinalizing(this.plan, worldBefore(this.path, index))) {
          await this.world.killVerified(this.info().identity);
        }
        return;
      case 'ADOPT':
        return this.reboot(step, index);
      default:
        // The write-ahead's outcome, SPAWNED, SPAWN_FAILED, TREE_DEAD, GIVE_UP: the world
        // produces these; expectStep waits for them.
        return;
    }
  }

  // The previous supervisor left the run; the world changes as the model says; the next one
  // boots on the same home and adopts the record (its boot settles while the path goes on).
  private async reboot(step: ModelStep, index: number): Promise<void> {
    if (step.event.type !== 'ADOPT') return;
    await this.leaving;
    await this.booted;
    const decision = decideOrphan(step.event.facts);
    const identity = this.info().identity;
    if (decision === 'lost' || decision === 'uncertain') {
      await this.world.killVerified(identity);
      await this.world.endMarked(this.runId);
    }
    if (decision === 'uncertain' && !worldBefore(this.path, index).foreign) {
      // An identity read on another host: boot cannot verify it, and must not signal it.
      await this.world.editIdentity(this.runId, 'another-host');
    }
    await this.world.endMarked(this.predecessorId);
    this.world.advanceTo(step.event.at);
    await this.boot();
  }

  // Before a new generation: its fixture says it is ready in the same file, and its
  // write-ahead (not a write of the record before it, which may still be under way) is
  // refused where the model says so.
  private nextGeneration(index: number): void {
    rmSync(this.ready, { force: true });
    if (this.path.steps[index + 1]?.event.type !== 'WRITE_AHEAD_FAILED') return;
    const key = `${this.world.name}/run/${this.runId}`;
    this.gate = this.store.gateNext(key, 'refuse', writesAhead);
  }

  private async afterStep(step: ModelStep): Promise<void> {
    // Held in `recording`: once the run left it, its write-ahead may land.
    if (step.before === 'recording' && this.plan.writeAhead === 'hold') this.gate?.open();
    // A launched fixture is ready before the driver causes anything else.
    if (step.event.type === 'SPAWNED' && step.state.value !== 'finalizing')
      await this.world.ready(this.ready);
  }

  private handle() {
    const run = this.sup.handle(this.runId);
    if (run === undefined) throw new Error(`no handle for run ${this.runId}`);
    return run;
  }

  private info(): RunInfo {
    const info = this.sup.get(this.runId);
    if (info === undefined) throw new Error(`run ${this.runId} is unknown to the supervisor`);
    return info;
  }
}
