// The model side of the group machine's model-based test: the pure supervisor machine with
// the nestable group machine and the real run machine, every effect inert. What the world
// does by itself (records land, processes start, signalled processes exit, trees are
// verified dead) is done at once after each event the driver causes, in a fixed order; a
// stubborn member signalled to stop waits until the driver ends it (KILL), and a record the
// driver holds (a member's write-ahead, a group's record) lands when it says (OPEN).
import { createActor, type AnyActorRef, type InspectionEvent } from 'xstate';
import { groupSystemId, type GroupContext } from '../../src/machines/group-context.js';
import type { RunContext } from '../../src/machines/run-context.js';
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
import {
  GROUP_WRITE,
  modelSupervisor,
  RUN_WRITE,
  timersOf,
  type Timer,
} from './group-model-machines.js';
import { fakeIdentity } from './run-fixtures.js';
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
  /** Groups whose record the store holds (ADD_HOLD), until OPEN_GROUP. */
  readonly groupGates = new Set<string>();
  /** Store gates of members' write-aheads: armed, then taken by the next write-ahead. */
  readonly gates = new Map<string, { mode: 'hold' | 'refuse'; taken: boolean }>();
  /** An event the world could not take as asked (a gate no write-ahead took). */
  invalid = false;
  private readonly actor;

  constructor(readonly variant: VariantName) {
    this.actor = createActor(modelSupervisor, {
      input: { createdAt: 0, maxLiveRuns: 100, maxFinalRecords: 100 },
      inspect: (event: InspectionEvent) => {
        this.recorder.inspect(event);
        noteTransitions(this, event);
      },
    });
    timersOf.set(this.actor.system, this.timers);
    this.actor.start();
    this.actor.send({ type: 'BOOT' });
    this.actor.send({ type: 'xstate.done.actor.rw:boot' } as never);
    for (const item of VARIANTS[variant].setup) this.create(item);
  }

  /** Applies `event` and what the world does after it. */
  apply(event: GroupModelEvent): void {
    this.runningAtStep = new Set(
      [...this.runStates].filter(([, state]) => state === 'running').map(([name]) => name),
    );
    switch (event.type) {
      case 'FAIL':
        this.run(event.name).send({ type: 'EXITED', exitCode: 1, signal: null, at: 0 });
        break;
      case 'KILL':
        this.run(event.name).send({ type: 'EXITED', exitCode: null, signal: 'SIGKILL', at: 0 });
        break;
      case 'DUE':
        this.fireTimers();
        break;
      case 'DUE_HOLD':
      case 'DUE_REFUSE': {
        const mode = event.type === 'DUE_HOLD' ? 'hold' : 'refuse';
        this.gates.set(event.name, { mode, taken: false });
        this.fireTimers();
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
      case 'OPEN_GROUP':
        this.groupGates.delete(event.path);
        break;
      case 'LEAVE':
      case 'SHUTDOWN': {
        const runs = event.type === 'LEAVE' ? 'leave' : 'kill';
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
    const ref = this.actor.system.get(name) as AnyActorRef | undefined;
    return ref === undefined ? null : (ref.getSnapshot() as Snapshot<RunContext>).context;
  }

  /** The state of group `path` (`restarting.stopping`), or `gone` once it left its parent. */
  groupState(path: string): string {
    const ref = this.groupRef(path);
    return ref === undefined
      ? 'gone'
      : stateName((ref.getSnapshot() as Snapshot<GroupContext>).value);
  }

  groupContext(path: string): GroupContext | null {
    const ref = this.groupRef(path);
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
      for (const item of itemsOf(VARIANTS[this.variant])) moved = this.step(item) || moved;
      // The store closes once every write landed: a held write-ahead keeps it open, and so
      // does a held group record (the close waits for every group record to land).
      const held = this.holding() || this.groupGates.size > 0;
      if (this.actor.getSnapshot().value === 'closing' && !held) {
        this.actor.send({ type: 'xstate.done.actor.rw:close' } as never);
        moved = true;
      }
    }
  }

  private step(item: TreeItem): boolean {
    if (item.kind === 'group') {
      // A held record lands only once the driver lets it (group records are not batched
      // with run records: nothing else waits for it).
      if (this.groupState(item.path) !== 'recording' || this.groupGates.has(item.path))
        return false;
      const outcome = item.refused ? 'error' : 'done';
      const error = new Error('the store refuses the record');
      this.groupRef(item.path)?.send({
        type: `xstate.${outcome}.actor.${GROUP_WRITE}`,
        error,
      });
      return true;
    }
    const ref = this.actor.system.get(item.name) as AnyActorRef | undefined;
    const state = ref === undefined ? 'none' : this.runState(item.name);
    if (ref === undefined) return false;
    if (state === 'recording') {
      const gate = this.gates.get(item.name);
      // Record writes go out one batch at a time: one held write holds every later one.
      if (gate?.taken === true || this.holding()) return false;
      if (gate !== undefined) gate.taken = true;
      if (gate?.mode === 'hold') return true;
      if (gate?.mode === 'refuse') this.gates.delete(item.name);
      const outcome = gate?.mode === 'refuse' ? 'error' : 'done';
      const error = new Error('the store refuses the record');
      ref.send({ type: `xstate.${outcome}.actor.${RUN_WRITE}`, error });
    } else if (state === 'spawning')
      ref.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: 0 });
    else if (state === 'finalizing' && !this.waitsForKill(item)) {
      if (this.runContext(item.name)?.processExit === null)
        ref.send({ type: 'EXITED', exitCode: 0, signal: null, at: 0 });
      ref.send({ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 0 });
    } else return false;
    return true;
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

  // The manual clock moves to now: every armed timer fires once, oldest first, and those
  // armed meanwhile too (what the world then does comes after, as it is asynchronous).
  private fireTimers(): void {
    for (;;) {
      const timer = this.timers.find((t) => t.live && t.at !== null);
      if (timer === undefined) return;
      timer.live = false;
      this.groupRef(timer.path)?.send({ type: 'RESUME_DUE', now: 0 });
    }
  }

  /** The supervisor serves (takes spawns, groups, cancels, a shutdown). */
  serving(): boolean {
    const value = this.actor.getSnapshot().value as unknown;
    return (
      typeof value === 'object' && value !== null && (value as { open?: string }).open === 'active'
    );
  }

  /** An extra member or group not added yet. */
  isExtra(item: TreeItem): boolean {
    const id = item.kind === 'run' ? item.name : item.path;
    return VARIANTS[this.variant].extra.some((x: TreeItem) => x === item) && !this.used.has(id);
  }

  /** The group at `path` exists and has not stopped. */
  groupLive(path: string): boolean {
    return path !== '' && this.groupRef(path) !== undefined && this.groupState(path) !== 'stopped';
  }

  private groupRef(path: string): AnyActorRef | undefined {
    return this.actor.system.get(groupSystemId(path)) as AnyActorRef | undefined;
  }

  private run(name: string): AnyActorRef {
    const ref = this.actor.system.get(name) as AnyActorRef | undefined;
    if (ref === undefined) throw new Error(`no run ${name} in the model`);
    return ref;
  }
}

export function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', ''];
  return `${key}.${stateName(inner)}`;
}
