// Replays a path of the group model against a REAL supervisor: real processes (shell loops
// that fail on demand, some ignoring SIGTERM), a real SQLite store whose writes the driver
// can hold or refuse, a manual clock that moves only when the path says a timer is due.
// After each step every real group actor must have taken exactly the model's transitions
// (and each run actor too), groups and runs must show the model's states through the public
// API, and at the end the members' SIGTERMs came in the model's order. A REBOOT boots the
// next supervisor on the same home and store once the last one left (a `leave`), with the
// orphan policy the path says; the path goes on while its boot settles.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Group, Supervisor } from '../../src/index.js';
import type { OrphanPolicy } from '../../src/types.js';
import { parentPathOf } from '../../src/machines/group-context.js';
import { GroupModel } from './group-model.js';
import { expectAnswer, expectedRefusal, HeldGroupAnswers } from './group-model-answers.js';
import {
  expectGroupStates,
  expectSignalled,
  recordSays,
  sameLogs,
  sessionLines,
} from './group-model-checks.js';
import { bootNext, expectStoredGroups } from './group-model-reboot-driver.js';
import type { GroupPath } from './group-model-search.js';
import type { GroupModelEvent } from './group-model-views.js';
import { itemOf, memberSpec, VARIANTS, type TreeItem } from './group-model-variants.js';
import { openGatedStore, type GatedStore } from './model-store.js';
import { ModelWorld } from './model-world.js';
import { TransitionRecorder } from './transition-recorder.js';
import { waitUntil } from './wait-for.js';
import { removeEmptyArea } from './cgroup-cleanup.js';

const WAIT_MS = 15_000;

export class GroupModelDriver {
  private readonly world = new ModelWorld('runwarden-gmodel-');
  private readonly recorder = new TransitionRecorder();
  private readonly model: GroupModel;
  private readonly ids = new Map<string, string>();
  private readonly groups = new Map<string, Promise<Group>>();
  /** Store gates the driver holds: members' write-aheads (by name), group records (by path). */
  private readonly gates = new Map<string, { open(): void }>();
  private readonly held = new HeldGroupAnswers();
  private store!: GatedStore;
  private sup!: Supervisor;
  private leaving: Promise<void> = Promise.resolve();
  private booted: Promise<unknown> = Promise.resolve(null);

  constructor(
    private readonly path: GroupPath,
    /** Group transitions matched for real, in place, against the model. */
    private readonly verified: Set<string>,
  ) {
    this.model = new GroupModel(path.variant);
  }

  async execute(): Promise<void> {
    this.store = await openGatedStore(this.world.home.path);
    // The supervisor's own orphan policy (the default) matters only at a reboot.
    await this.boot('kill');
    expect(await this.booted, 'the first boot').toBeNull();
    for (const item of VARIANTS[this.path.variant].setup) await this.create(item);
    await this.expectModel('the setup');
    for (const [index, event] of this.path.events.entries()) {
      // The store holds the group records the model says: what a `leave` hands on, what the
      // next boot finds, what a record is before its next write is held.
      if (['LEAVE', 'REBOOT', 'HOLD_RECORD'].includes(event.type))
        await this.expectStored(event.type);
      // The model first: what it says decides which answers the driver waits for.
      this.model.apply(event);
      await this.realize(event);
      await this.expectModel(`step ${index + 1} (${event.type})`);
      // A boot the model ended has ended for real (nothing the path does next races it).
      if (!this.model.booting) await this.expectBooted();
      await this.held.check(this.model, `step ${index + 1} (${event.type})`);
    }
    await this.leaving;
    await this.expectBooted();
    expect(this.sup.state, 'the supervisor at the end').toBe('stopped');
  }

  /** Ends what is left (by verified identity), opens every gate, removes the home. */
  async cleanup(): Promise<void> {
    this.recorder.pause();
    try {
      for (const id of this.ids.values()) await this.world.endMarked(id);
      for (const gate of this.gates.values()) gate.open();
      if (this.sup.state !== 'stopped') await this.sup.shutdown({ runs: 'leave' });
      await this.booted;
      await this.store.close();
      removeEmptyArea(this.sup.containment.cgroupArea);
    } finally {
      this.world.home.remove();
    }
  }

  // A setup item: a group (with a handle for later), or a member started and ready.
  private async create(item: TreeItem): Promise<void> {
    if (item.kind === 'group') await this.addGroup(item.path);
    else {
      const group = await this.handle(item.path);
      this.ids.set(item.name, (await group.spawn(memberSpec(this.world.home.path, item))).id);
    }
  }

  private async realize(event: GroupModelEvent): Promise<void> {
    switch (event.type) {
      case 'FAIL':
        writeFileSync(join(this.world.home.path, `fail-${event.name}`), '');
        return;
      case 'KILL':
        await this.world.endMarked(this.id(event.name));
        return;
      case 'DUE':
        this.world.clock.advanceTo(this.world.clock.now());
        return;
      case 'DUE_HOLD':
      case 'DUE_REFUSE': {
        // Its record says `held` (the write of that state landed): its next write is the
        // write-ahead of the generation the timer starts.
        const key = `${this.world.name}/run/${this.id(event.name)}`;
        await recordSays(this.store, key, 'held');
        this.gates.set(
          event.name,
          this.store.gateNext(key, event.type === 'DUE_HOLD' ? 'hold' : 'refuse'),
        );
        this.world.clock.advanceTo(this.world.clock.now());
        return;
      }
      case 'OPEN':
        this.gates.get(event.name)?.open();
        return;
      case 'HOLD_RECORD':
        this.gates.set(event.path, this.store.gateNext(this.groupKey(event.path), 'hold'));
        return;
      case 'OPEN_GROUP':
        this.gates.get(event.path)?.open();
        return;
      case 'ADD_HOLD': {
        const key = this.groupKey(event.path);
        this.gates.set(event.path, this.store.gateNext(key, 'hold'));
        this.held.add(event.path, this.addGroup(event.path));
        return;
      }
      case 'CANCEL_RUN':
        void this.sup.cancel(this.id(event.name)).catch(() => undefined);
        return;
      case 'CANCEL':
        void this.sup.cancelGroup(event.path).catch(() => undefined);
        return;
      case 'SPAWN':
        return this.spawnExtra(event.name);
      case 'ADD': {
        const item = itemOf(this.path.variant, event.path);
        if (item.kind === 'group' && item.refused)
          this.store.gateNext(this.groupKey(event.path), 'refuse');
        await this.expectAnswer(this.addGroup(event.path), event.path);
        return;
      }
      case 'LEAVE':
      case 'SHUTDOWN':
        this.leaving = this.sup.shutdown({ runs: event.type === 'LEAVE' ? 'leave' : 'kill' });
        return;
      // The next supervisor, on what the last one left: its boot settles as the path goes on.
      case 'REBOOT':
        this.groups.clear();
        return this.boot(event.policy);
    }
  }

  private groupKey(path: string): string {
    return `${this.world.name}/group/${path}`;
  }

  // The store holds the group records the model says (once the supervisor left, if it does).
  private async expectStored(what: string): Promise<void> {
    await this.leaving;
    await expectStoredGroups(this.store, this.world.name, this.model, this.ids, what);
  }

  // The boot ended as the model's: done, or called off by a shutdown.
  private async expectBooted(): Promise<void> {
    const failure = await this.booted;
    const code = failure === null ? null : ((failure as { code?: string }).code ?? failure);
    const calledOff = this.model.shutdown?.booting === true;
    expect(code, 'the boot').toBe(calledOff ? 'E_SUPERVISOR_STOPPED' : null);
  }

  private async boot(onOrphan: OrphanPolicy): Promise<void> {
    const next = await bootNext(this.world, this.store, this.recorder, onOrphan);
    ({ sup: this.sup, booted: this.booted } = next);
  }

  // An extra member: its run id is known as its run starts recording (or it is refused).
  private async spawnExtra(name: string): Promise<void> {
    const item = itemOf(this.path.variant, name);
    if (item.kind !== 'run') return;
    const known = new Set(this.ids.values());
    const off = this.sup.onEvent((event) => {
      if (event.type === 'run.state' && !known.has(event.runId) && !this.ids.has(name))
        this.ids.set(name, event.runId);
    });
    const group = await this.handle(item.path);
    const answer = group.spawn(memberSpec(this.world.home.path, item));
    // Started, or refused, as the model says; a run whose write-ahead is held (behind a held
    // write) answers only later, as what follows decides: it is not waited for.
    const state = this.model.runState(name);
    if (state === 'running' || state === 'none') await this.expectAnswer(answer, name);
    else void answer.catch(() => undefined);
    off();
  }

  // A spawn or a group the model refused must be refused for real, with the error saying why:
  // its group (or its parent) takes nothing new, or the store refused the group's record.
  private async expectAnswer(answer: Promise<unknown>, what: string): Promise<void> {
    await expectAnswer(answer, expectedRefusal(this.model, this.path.variant, what), what);
  }

  private addGroup(path: string): Promise<Group> {
    const item = itemOf(this.path.variant, path);
    if (item.kind !== 'group') throw new Error(`${path} is no group`);
    const parent = parentPathOf(path);
    const id = path.slice(path.lastIndexOf('/') + 1);
    const made =
      parent === null
        ? this.sup.group(id, item.settings)
        : this.handle(parent).then((group) => group.group(id, item.settings));
    this.groups.set(path, made);
    return made;
  }

  // Its handle (a group a boot rebuilt: from the supervisor that rebuilt it).
  private handle(path: string): Promise<Group> {
    const group = this.groups.get(path) ?? this.sup.findGroup(path);
    if (group === undefined) throw new Error(`no handle for group ${path}`);
    return Promise.resolve(group);
  }

  // The real actors took exactly the model's transitions so far (an unexpected one fails at
  // once); then the public API shows the model's states, and running members are ready.
  private async expectModel(what: string): Promise<void> {
    const expected = this.model.recorder.actorLogs('group');
    const matched = async () => {
      await this.endStoppedAtStart();
      return (
        sameLogs(this.recorder.actorLogs('group'), expected, `${what}: groups`) &&
        this.members().every(([name, id]) =>
          sameLogs([this.recorder.keysOf(id)], [this.model.recorder.keysOf(name)], name),
        )
      );
    };
    await waitUntil(matched, WAIT_MS, `${what}: the model's transitions`).catch(() => {
      const real = this.members().map(([name, id]) => [name, this.recorder.keysOf(id).at(-1)]);
      const model = this.members().map(([name]) => [name, this.model.recorder.keysOf(name).at(-1)]);
      const groups = JSON.stringify([this.recorder.actorLogs('group'), expected]);
      throw new Error(
        `${what}: real ${JSON.stringify(real)}, model ${JSON.stringify(model)}; groups ${groups}`,
      );
    });
    for (const key of expected.flat()) this.verified.add(key);
    await expectSignalled(this.world.home.path, this.model, what);
    for (const [name, id] of this.members()) {
      const state = this.model.runState(name);
      const real = this.sup.get(id)?.state;
      // A finished record is listed once the boot kept it, after every adoption settled.
      if (!(this.model.booting && state === 'done' && real === undefined))
        expect(real, `${what}: run ${name}`).toBe(state);
      const generation = this.model.runContext(name)?.generation ?? 0;
      if (state === 'running')
        await waitUntil(
          () => sessionLines(this.world.home.path).includes(`ready ${name} ${generation}`),
          WAIT_MS,
          `${name} ready`,
        );
    }
    expectGroupStates(this.sup, this.model, what);
  }

  private members(): Array<[string, string]> {
    return [...this.ids.entries()];
  }

  private id(name: string): string {
    const id = this.ids.get(name);
    if (id === undefined) throw new Error(`member ${name} has no run`);
    return id;
  }

  // A member signalled as its process started may have died of it, or live on (stubborn, its
  // trap set just in time): the model ends it by itself, so the driver ends it (by identity).
  private async endStoppedAtStart(): Promise<void> {
    for (const [name, id] of this.members()) {
      const info = this.sup.get(id);
      if (info?.state !== 'finalizing') continue;
      if (this.model.stoppedAtStart.has(`${name} ${info.generation}`))
        await this.world.endMarked(id);
    }
  }
}
