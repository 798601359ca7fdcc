// The group operations of a supervisor: create (or find) a group, start runs in it, end its
// subtree, read it. The machines decide; this sends their events and waits for their states.
import { waitFor, type Actor, type AnyActorRef } from 'xstate';
import { RunStateError, StoreError, SupervisorStoppedError, UnknownGroupError } from '../errors.js';
import { parentPathOf } from '../machines/group-context.js';
import type { supervisorMachine } from '../machines/supervisor-machine.js';
import {
  conflictingOption,
  normalizeGroupOptions,
  parseGroupPath,
} from '../options/group-options.js';
import { InvalidOptionError } from '../errors.js';
import type { RunSpec } from '../options/run-spec.js';
import type { Clock } from '../support/clock.js';
import type {
  CancelReason,
  GroupInfo,
  GroupOptions,
  GroupSettings,
  RunExit,
  RunInfo,
} from '../types.js';
import { Group, type GroupOperations } from './group-handle.js';
import { groupEnded, groupInfoOf, groupSnapshotOf, type GroupSnapshot } from './group-info.js';
import type { GroupRecords } from './group-records.js';
import type { RunHandle } from './run-handle.js';
import type { RunRuntime } from './run-runtime.js';

/** What the group operations need from their supervisor. */
export interface GroupHost {
  readonly actor: Actor<typeof supervisorMachine>;
  readonly records: GroupRecords;
  readonly clock: Clock;
  spawn(path: string, spec: RunSpec): Promise<RunHandle>;
  runtime(runId: string): RunRuntime | undefined;
  info(runId: string): RunInfo | undefined;
}

export class SupervisorGroups implements GroupOperations {
  constructor(private readonly host: GroupHost) {}

  spawn(path: string, spec: RunSpec): Promise<RunHandle> {
    parseGroupPath(path);
    return this.host.spawn(path, spec);
  }

  /**
   * Creates the group at `path` (its parent must exist), or returns the live one there. Its
   * record is durable before this resolves. Options that differ from a live group's throw.
   */
  async add(path: string, options?: GroupOptions): Promise<Group> {
    parseGroupPath(path);
    const settings = normalizeGroupOptions(options);
    let ref = this.live(path);
    // One that is ending is waited out: a new group of the same path follows it.
    if (ref !== undefined && groupEnded(groupSnapshotOf(ref))) {
      await settle(
        waitFor(ref, (snapshot: GroupSnapshot) => snapshot.status !== 'active', NO_TIMEOUT),
      );
      ref = undefined;
    }
    ref ??= await this.create(path, settings);
    await settle(waitFor(ref, (s: GroupSnapshot) => !WRITING.has(String(s.value)), NO_TIMEOUT));
    const snapshot = groupSnapshotOf(ref);
    if (groupEnded(snapshot)) throw this.notCreated(path, snapshot);
    const conflict = conflictingOption(options, snapshot.context.settings);
    if (conflict !== null) {
      const current = String(snapshot.context.settings[conflict]);
      const expected = `${current}, as group ${path} was created with`;
      throw new InvalidOptionError(conflict, options?.[conflict], expected);
    }
    return new Group(this, path);
  }

  // Asks the machines for the group: it appears, or the request is refused (and why).
  private async create(path: string, settings: GroupSettings): Promise<AnyActorRef> {
    const parent = parentPathOf(path);
    if (parent !== null && this.live(parent) === undefined) throw new UnknownGroupError(parent);
    const created = this.host.records.created(path);
    const answer: { refused: 'not-serving' | 'no-parent' | null } = { refused: null };
    const off = this.host.actor.on('groupRefused', (event) => {
      if (event.path === path) answer.refused = event.reason;
    });
    const stop = new AbortController();
    try {
      this.host.actor.send({ type: 'ADD_GROUP', path, settings, createdAt: this.host.clock.now() });
      const refused = waitFor(
        this.host.actor,
        (s) => answer.refused !== null || s.status !== 'active',
        { timeout: Infinity, signal: stop.signal },
      ).then(
        () => null,
        () => null,
      );
      const ref = await Promise.race([created.ref, refused]);
      if (ref !== null) return ref;
      if (answer.refused === 'no-parent') {
        throw new RunStateError(
          'E_GROUP_UNAVAILABLE',
          `group ${path} was not created: its parent group is stopping or gone`,
        );
      }
      throw new SupervisorStoppedError('the supervisor is not serving: it creates no group');
    } finally {
      stop.abort();
      created.cancel();
      off.unsubscribe();
    }
  }

  // Why a group ended before it ran anything: its record, a stop, or the supervisor's end.
  private notCreated(path: string, snapshot: GroupSnapshot): Error {
    if (snapshot.value === 'refused')
      return new StoreError(
        'E_STORE_UNAVAILABLE',
        `group ${path} was not created: its record could not be stored`,
      );
    if (!this.host.actor.getSnapshot().matches({ open: 'active' }))
      return new SupervisorStoppedError();
    return new RunStateError('E_GROUP_UNAVAILABLE', `group ${path} was stopped as it started`);
  }

  /**
   * Ends the subtree of the group at `path`, last started first, each tree verified dead;
   * resolves with its runs' exits, in the order they were stopped.
   */
  async cancel(path: string, reason: CancelReason): Promise<RunExit[]> {
    const ref = this.live(path);
    if (ref === undefined) throw new UnknownGroupError(path);
    const runs = this.subtreeRuns(ref).reverse();
    const exits = runs.flatMap((id) => this.host.runtime(id)?.exited ?? []);
    this.host.actor.send({ type: 'CANCEL_GROUP', path, reason, at: this.host.clock.now() });
    const ended = await Promise.all(exits);
    await waitFor(ref, (snapshot: GroupSnapshot) => groupEnded(snapshot), { timeout: Infinity });
    return ended;
  }

  info(path: string): GroupInfo | undefined {
    const ref = this.live(path);
    return ref === undefined ? undefined : groupInfoOf(groupSnapshotOf(ref));
  }

  run(id: string): RunInfo | undefined {
    return this.host.info(id);
  }

  /** Every live group, parents before their children, in start order. */
  list(): GroupInfo[] {
    const found: GroupInfo[] = [];
    const visit = (ref: AnyActorRef) => {
      const snapshot = groupSnapshotOf(ref);
      found.push(groupInfoOf(snapshot));
      for (const child of snapshot.context.children) if (child.kind === 'group') visit(child.ref);
    };
    for (const group of this.host.actor.getSnapshot().context.groups) visit(group.ref);
    return found;
  }

  /** The handle of the live group at `path`, or undefined. */
  handle(path: string): Group | undefined {
    return this.live(path) === undefined ? undefined : new Group(this, path);
  }

  private live(path: string): AnyActorRef | undefined {
    return this.host.records.ref(path);
  }

  private subtreeRuns(ref: AnyActorRef): string[] {
    const ids: string[] = [];
    for (const child of groupSnapshotOf(ref).context.children) {
      if (child.kind === 'run') ids.push(child.id);
      else ids.push(...this.subtreeRuns(child.ref));
    }
    return ids;
  }
}

// The states a group writes its record in (the write-ahead), before it runs anything.
const WRITING: ReadonlySet<string> = new Set(['created', 'recording']);
const NO_TIMEOUT = { timeout: Infinity } as const;

// A wait whose actor stopped meanwhile is over too: what it became is read after.
async function settle(wait: Promise<unknown>): Promise<void> {
  await wait.then(
    () => undefined,
    () => undefined,
  );
}
