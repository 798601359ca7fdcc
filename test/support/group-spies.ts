// The group machine in a small parent, every effect a spy: its record write resolves at once
// (or waits for the test), its timer only records what it arms (the test sends RESUME_DUE).
// Its runs are fake (each records what it receives and reports what the test tells it to) or
// the real run machine with spied effects (model-spies.ts), for the run/group protocol.
import {
  createActor,
  enqueueActions,
  fromCallback,
  fromPromise,
  sendParent,
  setup,
  type AnyActorRef,
  type AnyEventObject,
} from 'xstate';
import {
  groupSystemId,
  type GroupContext,
  type GroupInput,
} from '../../src/machines/group-context.js';
import type { GroupTimerInput } from '../../src/machines/group-effects.js';
import type { GroupEvent, HeldCause } from '../../src/machines/group-events.js';
import { nestableGroupMachine } from '../../src/machines/group-machine.js';
import {
  buildRunExit,
  initialRunContext,
  type RunContext,
  type RunEndedEvent,
  type RunInput,
} from '../../src/machines/run-context.js';
import type { runMachine } from '../../src/machines/run-machine.js';
import type { GroupSettings } from '../../src/options/group-options.js';
import type { ExitReason, RunDescriptor } from '../../src/types.js';
import { spyEffects } from './model-spies.js';
import { descriptor, fakeIdentity, runInput } from './run-fixtures.js';

/** A group's settings: one-for-one, 5 restarts a minute, unless told otherwise. */
export function settings(overrides: Partial<GroupSettings> = {}): GroupSettings {
  return { strategy: 'one-for-one', maxRestarts: 5, restartWindowMs: 60_000, ...overrides };
}

/** Runs that do nothing by themselves: each logs what it receives, and reports on command. */
export function fakeRuns() {
  const received = new Map<string, AnyEventObject[]>();
  const order: string[] = [];
  const machine = setup({
    types: { context: {} as { id: string }, input: {} as RunInput, events: {} as AnyEventObject },
  }).createMachine({
    context: ({ input }) => ({ id: 'runId' in input ? input.runId : input.record.runId }),
    on: {
      REPORT: { actions: sendParent(({ event }) => event.report as AnyEventObject) },
      '*': {
        actions: ({ context, event }) => {
          received.set(context.id, [...(received.get(context.id) ?? []), event]);
          order.push(`${context.id}:${event.type}`);
        },
      },
    },
  });
  return {
    machine: machine as unknown as typeof runMachine,
    /** The types of the events run `id` received, in order. */
    received: (id: string) => (received.get(id) ?? []).map((event) => event.type),
    /** The events run `id` received, in order. */
    events: (id: string) => received.get(id) ?? [],
    /** What every run received, as `id:TYPE`, in the order it came. */
    log: () => [...order],
    /** Forgets what every run received so far. */
    clear: () => {
      received.clear();
      order.length = 0;
    },
  };
}

/** The `CHILD_HELD` a child `id` reports: held for `cause`, to start again at `at`. */
export function held(id: string, cause: HeldCause, at = 0, endedAt = at): GroupEvent {
  return { type: 'CHILD_HELD', id, cause, at, endedAt };
}

/** The `RUN_ENDED` run `runId` reports when it ends for good with `reason`. */
export function ended(runId: string, reason: ExitReason = 'exit'): GroupEvent {
  const context = { ...initialRunContext(runInput()), runId, endReason: reason };
  return { type: 'RUN_ENDED', output: { runId, outcome: 'done', exit: buildRunExit(context) } };
}

interface Harness {
  readonly run: 'fake' | 'real';
  readonly holdWrites: boolean;
}

/** A parent of groups, as the supervisor is one: it spawns top-level groups and logs reports. */
export function groupHarness(options: Partial<Harness> = {}) {
  const fake = fakeRuns();
  const spies = spyEffects();
  const timers: Array<{ path: string; at: number | null; live: boolean }> = [];
  const writes = new Map<string, { resolve: () => void; reject: (error: unknown) => void }>();
  const written: string[] = [];
  const group = nestableGroupMachine(options.run === 'real' ? spies.run : fake.machine, {
    actors: {
      writeGroup: fromPromise<undefined, { path: string }>(({ input }) => {
        written.push(input.path);
        return options.holdWrites === true
          ? new Promise((resolve, reject) => {
              writes.set(input.path, {
                resolve: () => {
                  resolve(undefined);
                },
                reject,
              });
            })
          : Promise.resolve(undefined);
      }),
      groupTimer: fromCallback<GroupEvent, GroupTimerInput>(({ input }) => {
        const timer = { path: input.path, at: input.at, live: true };
        timers.push(timer);
        return () => {
          timer.live = false;
        };
      }),
    },
  });
  const reports: AnyEventObject[] = [];
  const parent = setup({
    types: { events: {} as AnyEventObject },
    actors: { group },
  }).createMachine({
    context: {},
    on: {
      ADD_TOP: {
        actions: enqueueActions(({ event, enqueue }) => {
          const { path, input } = event as unknown as { path: string; input: GroupInput };
          const id = groupSystemId(path);
          enqueue.spawnChild('group', { id, systemId: id, input });
        }),
      },
      '*': { actions: ({ event }) => reports.push(event) },
    },
  });
  const actor = createActor(parent);
  actor.start();
  const ref = (id: string): AnyActorRef => {
    const found = (actor.system.get(id) ?? actor.system.get(groupSystemId(id))) as
      AnyActorRef | undefined;
    if (found === undefined) throw new Error(`no actor ${id}`);
    return found;
  };
  const top = (path: string) => ref(path.split('/')[0] ?? path);
  return {
    actor,
    fake,
    spies,
    /** Every event the groups sent the parent, in order. */
    reports,
    /** Report types (with the id or run they name), as `TYPE id`. */
    reported: () => reports.map(describeEvent),
    /** Paths of the groups whose record write started, in order. */
    written,
    /** The child (run id or group path) `id`. */
    ref,
    /** The state value of group `path` (`restarting.stopping` for substates). */
    state: (path: string) => stateName(groupSnapshot(ref(path)).value),
    context: (path: string) => groupSnapshot(ref(path)).context,
    /** When the group's live timer fires (null: armed for nothing; undefined: none). */
    timer: (path: string) => timers.filter((t) => t.path === path && t.live).at(-1)?.at,
    /** Creates group `path` (top-level by the parent, nested through its top group). */
    async add(path: string, overrides: Partial<GroupSettings> = {}, extra: object = {}) {
      const input = { path, settings: settings(overrides), createdAt: 0, ...extra };
      if (!path.includes('/')) actor.send({ type: 'ADD_TOP', path, input });
      else top(path).send({ type: 'ADD_GROUP', ...input });
      await flush();
    },
    /** Starts run `runId` in group `path` (routed down from its top group). */
    spawn(path: string, runId: string, overrides: Partial<RunDescriptor> = {}) {
      const event = { path, runId, descriptor: descriptor({ group: path, ...overrides }) };
      top(path).send({ type: 'SPAWN_CHILD', ...event, createdAt: 0 });
    },
    /** Sends `event` to group `path`. */
    send(path: string, event: GroupEvent) {
      ref(path).send(event);
    },
    /** A fake run (or any child) `id` reports `report` to its group. */
    report(id: string, report: GroupEvent) {
      ref(id).send({ type: 'REPORT', report });
    },
    /** A real run's record is durable and its process spawned at `at`: it runs. */
    async startRun(runId: string, at = 0) {
      await spies.settle('writeAhead', runId);
      ref(runId).send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at });
    },
    /** A real run's process exits (`code`, or killed by `signal`) and its tree is dead. */
    exitRun(
      runId: string,
      at: number,
      code: number | null = 1,
      signal: NodeJS.Signals | null = null,
    ) {
      ref(runId).send({ type: 'EXITED', exitCode: code, signal, at });
      ref(runId).send({ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at });
    },
    /** The state of the real run `runId`. */
    runState: (runId: string) => stateName(runSnapshot(ref(runId)).value),
    /** The context of the real run `runId`. */
    runContext: (runId: string) => runSnapshot(ref(runId)).context,
    /** The runs whose end reached the parent, with their exit reason, in order. */
    runEnds: () =>
      reports.flatMap((event) => {
        if (event.type !== 'RUN_ENDED') return [];
        const { output } = event as unknown as RunEndedEvent;
        return [[output.runId, output.exit.reason]];
      }),
    /** Settles the held record write of group `path`. */
    async settleWrite(path: string, error?: unknown) {
      const pending = writes.get(path);
      if (pending === undefined) throw new Error(`no pending write for ${path}`);
      writes.delete(path);
      if (error === undefined) pending.resolve();
      else pending.reject(error);
      await flush();
    },
  };
}
export type GroupHarness = ReturnType<typeof groupHarness>;

/** Lets promise actors settle (they report on a later tick). */
export async function flush(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 0));
}

type Snapshot<C> = { value: unknown; context: C };
const groupSnapshot = (actor: AnyActorRef) => actor.getSnapshot() as Snapshot<GroupContext>;
const runSnapshot = (actor: AnyActorRef) => actor.getSnapshot() as Snapshot<RunContext>;

function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', ''];
  return `${key}.${stateName(inner)}`;
}

function describeEvent(event: AnyEventObject): string {
  const named = event as { id?: string; runId?: string; path?: string; output?: { runId: string } };
  const id = named.id ?? named.runId ?? named.path ?? named.output?.runId;
  return id === undefined ? event.type : `${event.type} ${id}`;
}
