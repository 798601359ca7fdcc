// The model side of the group machine's model-based test: the pure supervisor machine with
// the nestable group machine and the real run machine, every effect inert. What the world
// does by itself (records land, processes start, signalled processes exit, trees are
// verified dead) is done at once after each event the driver causes, in a fixed order; a
// stubborn member signalled to stop waits until the driver ends it (KILL), and a record the
// driver holds (a member's write-ahead, a group's record) lands when it says (OPEN). After a
// `leave`, the next supervisor may boot on what the last one left (REBOOT: see
// group-model-reboot.ts); its boot settles once every run it adopted is done being killed.
import { createActor, type Actor, type AnyActorRef, type InspectionEvent } from 'xstate';
import { groupSystemId, type GroupContext } from '../../src/machines/group-context.js';
import type { RunContext } from '../../src/machines/run-context.js';
import type { OrphanPolicy } from '../../src/types.js';
import { adoptions, ModelStore, processAlive, restoredGroups } from './group-model-reboot.js';
import {
  itemOf,
  itemsOf,
  modelDescriptor,
  VARIANTS,
  type MemberItem,
  type TreeItem,
  type VariantName,
} from './group-model-variants.js';
import { noteTransitions, type GroupModelEvent } from './group-model-views.js';
import { modelSupervisor, RUN_WRITE, timersOf, type Timer } from './group-model-machines.js';
import { exitOf, fireTimers, stateName, stepWorld } from './group-model-world.js';
import { TransitionRecorder } from './transition-recorder.js';

interface Snapshot<C> {
  readonly value: unknown;
  readonly context: C;
}

export class GroupModel {
  readonly recorder = new TransitionRecorder();
  /** Members sent a SIGTERM, in order (what their fixtures log as `stop NAME GENERATION`). */
  readonly stops: string[] = [];
  /**
   * Generations (`NAME GENERATION`) signalled as soon as their process existed, in the step
   * that started them: the signal may come before the fixture's trap, so they log nothing
   * certain and may die of it. They end by themselves here; the driver ends them for real.
   */
  readonly stoppedAtStart = new Set<string>();
  /** Members whose process ran when the step began (the driver saw them ready). */
  runningAtStep: ReadonlySet<string> = new Set();
  /** Paths of the groups whose record landed (created for real). */
  readonly activeGroups = new Set<string>();
  /** The state each member's run took last. */
  readonly runStates = new Map<string, string>();
  /** The group timers armed so far (live: not fired, its state not left). */
  readonly timers: Timer[] = [];
  /** Extra members and groups added so far. */
  readonly used = new Set<string>();
  /** Groups whose record the store holds (its write-ahead, or its next write), until OPEN_GROUP. */
  readonly groupGates = new Set<string>();
  /** Store gates of members' write-aheads: armed, then taken by the next write-ahead. */
  readonly gates = new Map<string, { mode: 'hold' | 'refuse'; taken: boolean }>();
  /** An event the world could not take as asked (a gate no write-ahead took). */
  invalid = false;
  /** What the store holds once every write landed (what a boot finds). */
  readonly store = new ModelStore();
  /** Supervisors booted on what an earlier one left (after a `leave`: `shutdown`). */
  reboots = 0;
  /** How the supervisor was shut down, and whether that called off its boot. */
  shutdown: { readonly runs: 'leave' | 'kill'; readonly booting: boolean } | null = null;
  /** Where the run transitions of the last reboot begin, in the recorder's run log. */
  rebootedAt = 0;
  /** Runs the boot under way adopted and is still killing: it ends once none is left. */
  readonly adopting = new Set<string>();
  /** Ranges of `stops` signalled at once (orphans a boot kills): their order is not fixed. */
  readonly unorderedStops: Array<readonly [number, number]> = [];
  private actor!: Actor<typeof modelSupervisor>;

  constructor(readonly variant: VariantName) {
    this.start();
    this.settle();
    for (const item of VARIANTS[variant].setup) this.create(item);
  }

  private start(): void {
    this.actor = createActor(modelSupervisor, {
      input: { createdAt: 0, maxLiveRuns: 100, maxFinalRecords: 100 },
      inspect: (event: InspectionEvent) => {
        this.recorder.inspect(event);
        this.store.inspect(event);
        noteTransitions(this, event);
      },
    });
    timersOf.set(this.actor.system, this.timers);
    this.actor.start();
    this.actor.send({ type: 'BOOT' });
  }

  // The next supervisor boots on what the last one left: its groups are rebuilt, parents
  // first, then its live runs adopted, oldest first (a member released alive has long set its
  // SIGTERM trap: a kill now is logged). Orphans it kills are signalled at once.
  private reboot(policy: OrphanPolicy): void {
    const groups = restoredGroups(this.store, 0);
    const adopted = adoptions(this.store, policy, 0);
    this.reboots++;
    this.rebootedAt = this.recorder.machineLog('run').length;
    this.shutdown = null;
    this.runningAtStep = new Set(
      adopted.filter((event) => processAlive(event.record)).map((event) => event.record.runId),
    );
    this.start();
    for (const event of groups) this.actor.send(event);
    const from = this.stops.length;
    for (const event of adopted) {
      this.actor.send(event);
      if (this.runState(event.record.runId) === 'finalizing') this.adopting.add(event.record.runId);
    }
    this.unorderedStops.push([from, this.stops.length]);
  }

  /** Applies `event` and what the world does after it. */
  apply(event: GroupModelEvent): void {
    this.runningAtStep = new Set(
      [...this.runStates].filter(([, state]) => state === 'running').map(([name]) => name),
    );
    switch (event.type) {
      case 'FAIL':
        this.run(event.name).send(exitOf(this, event.name, { exitCode: 1, signal: null }));
        break;
      case 'KILL':
        this.run(event.name).send(exitOf(this, event.name, { exitCode: null, signal: 'SIGKILL' }));
        break;
      case 'REBOOT':
        this.reboot(event.policy);
        break;
      case 'DUE':
        fireTimers(this);
        break;
      case 'DUE_HOLD':
      case 'DUE_REFUSE': {
        const mode = event.type === 'DUE_HOLD' ? 'hold' : 'refuse';
        this.gates.set(event.name, { mode, taken: false });
        fireTimers(this);
        this.settle();
        // The gate must be taken by this member's next write-ahead, now.
        const gate = this.gates.get(event.name);
        if (gate !== undefined && !gate.taken) this.invalid = true;
        return;
      }
      case 'OPEN':
        this.gates.delete(event.name);
        if (this.runState(event.name) === 'recording')
          this.run(event.name).send({ type: `xstate.done.actor.${RUN_WRITE}` });
        break;
      case 'CANCEL_RUN':
        this.run(event.name).send({ type: 'CANCEL', reason: 'cancelled', at: 0 });
        break;
      case 'CANCEL':
        this.actor.send({ type: 'CANCEL_GROUP', path: event.path, reason: 'cancelled', at: 0 });
        break;
      case 'SPAWN':
      case 'ADD':
      case 'ADD_HOLD': {
        const id = event.type === 'SPAWN' ? event.name : event.path;
        if (event.type === 'ADD_HOLD') this.groupGates.add(id);
        this.used.add(id);
        this.create(itemOf(this.variant, id));
        return;
      }
      case 'HOLD_RECORD':
        this.groupGates.add(event.path);
        break;
      case 'OPEN_GROUP':
        this.groupGates.delete(event.path);
        break;
      case 'LEAVE':
      case 'SHUTDOWN': {
        const runs = event.type === 'LEAVE' ? 'leave' : 'kill';
        this.shutdown = { runs, booting: this.booting };
        this.actor.send({ type: 'SHUTDOWN', runs, at: 0 });
      }
    }
    this.settle();
  }

  /** The supervisor stopped: the path has an end. */
  get ended(): boolean {
    return this.actor.getSnapshot().value === 'stopped';
  }

  /** The supervisor's state. */
  get supervisorState(): unknown {
    return this.actor.getSnapshot().value;
  }

  /** The state of member `name` (its last one, once it left). */
  runState(name: string): string {
    return this.runStates.get(name) ?? 'none';
  }

  runContext(name: string): RunContext | null {
    const ref = this.runActor(name);
    return ref === undefined ? null : (ref.getSnapshot() as Snapshot<RunContext>).context;
  }

  /** The state of group `path` (`restarting.stopping`), or `gone` once it left its parent. */
  groupState(path: string): string {
    const ref = this.groupActor(path);
    return ref === undefined
      ? 'gone'
      : stateName((ref.getSnapshot() as Snapshot<GroupContext>).value);
  }

  groupContext(path: string): GroupContext | null {
    const ref = this.groupActor(path);
    return ref === undefined ? null : (ref.getSnapshot() as Snapshot<GroupContext>).context;
  }

  private create(item: TreeItem): void {
    if (item.kind === 'group') {
      const { path, settings } = item;
      this.actor.send({ type: 'ADD_GROUP', path, settings, createdAt: 0 });
    } else {
      const descriptor = modelDescriptor(item);
      this.actor.send({ type: 'SPAWN', runId: item.name, descriptor, createdAt: 0 });
    }
    this.settle();
  }

  // The world, until nothing is left for it to do: records land, processes start, a
  // signalled process exits (unless stubborn), a tree is verified dead, the store closes.
  private settle(): void {
    for (let moved = true; moved;) {
      moved = false;
      for (const item of itemsOf(VARIANTS[this.variant])) moved = stepWorld(this, item) || moved;
      // The store closes once every write landed: a held write-ahead keeps it open, and so
      // does a held group record (the close waits for every group record to land).
      const held = this.holding() || this.groupGates.size > 0;
      if (this.actor.getSnapshot().value === 'closing' && !held) {
        this.actor.send({ type: 'xstate.done.actor.rw:close' } as never);
        moved = true;
      }
      // The boot ends once every adoption settled (a killed orphan: its tree verified dead).
      for (const name of this.adopting)
        if (this.runState(name) !== 'finalizing') this.adopting.delete(name);
      if (this.booting && this.adopting.size === 0) {
        this.actor.send({ type: 'xstate.done.actor.rw:boot' } as never);
        moved = true;
      }
    }
  }

  /** A write-ahead is held: record writes go out one batch at a time, so every later one waits. */
  holding(): boolean {
    return [...this.gates.values()].some((gate) => gate.mode === 'hold' && gate.taken);
  }

  /** A stubborn member ignores SIGTERM: once signalled, only the driver ends it. */
  waitsForKill(item: MemberItem): boolean {
    const context = this.runContext(item.name);
    return (
      item.stubborn &&
      context?.processExit === null &&
      !this.stoppedAtStart.has(`${item.name} ${context.generation}`)
    );
  }

  /** The supervisor serves (takes spawns, groups, cancels, a shutdown). */
  serving(): boolean {
    return this.openIn('active');
  }

  /** The supervisor boots (it takes cancels of its rebuilt groups, and a shutdown). */
  get booting(): boolean {
    return this.openIn('booting');
  }

  private openIn(state: string): boolean {
    const value = this.actor.getSnapshot().value as unknown;
    return (
      typeof value === 'object' && value !== null && (value as { open?: string }).open === state
    );
  }

  /** The actor of group `path`, while it lives. */
  groupActor(path: string): AnyActorRef | undefined {
    return this.actor.system.get(groupSystemId(path)) as AnyActorRef | undefined;
  }

  /** The actor of member `name`, while it lives. */
  runActor(name: string): AnyActorRef | undefined {
    return this.actor.system.get(name) as AnyActorRef | undefined;
  }

  private run(name: string): AnyActorRef {
    const ref = this.runActor(name);
    if (ref === undefined) throw new Error(`no run ${name} in the model`);
    return ref;
  }
}
