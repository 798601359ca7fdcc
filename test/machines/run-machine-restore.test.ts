// Restore can never spawn: a snapshot taken in every state of every machine (run, supervisor,
// store health), in the form records are stored in (no effect actors: `children: {}`, see
// RunRuntime.capture), JSON round-tripped and restored with every effect and every named
// action spied, starts no effect actor and runs no action. A control shows the spies would
// see it: the same snapshot with its effect children restarts the effect.
import { createActor, type AnyActorRef, type AnyStateMachine, type Snapshot } from 'xstate';
import type { RunContext } from '../../src/machines/run-context.js';
import { describe, expect, test, vi } from 'vitest';
import type { RunActorRef } from '../../src/machines/supervisor-machine.js';
import { fakeIdentity } from '../support/run-fixtures.js';
import { pureSupervisor, spyEffects, SUPERVISOR_INPUT } from '../support/model-spies.js';
import { RUN_STATES_REACHED, SUPERVISOR_STATES_REACHED } from '../support/model-snapshots.js';

type Persisted = Snapshot<unknown> & {
  children?: Record<string, ChildEntry>;
  value?: unknown;
  context?: unknown;
};
interface ChildEntry {
  snapshot: Persisted;
  src: string;
  systemId?: string;
}

/** Spied effects, and every named action of every machine replaced by a spy. */
function spiedForRestore() {
  const spies = spyEffects();
  const calls: string[] = [];
  const spyAll = <M extends AnyStateMachine>(machine: M): M =>
    machine.provide({
      actions: Object.fromEntries(
        Object.keys(machine.implementations.actions).map((name) => [
          name,
          vi.fn(() => calls.push(name)),
        ]),
      ),
    } as never) as M;
  const run = spyAll(spies.run);
  const storeHealth = spyAll(spies.storeHealth);
  const supervisor = spyAll(spies.supervisor.provide({ actors: { run, storeHealth } }));
  return { spies, calls, run, storeHealth, supervisor };
}

/** The stored form: machine children kept (their effects dropped), effect children dropped. */
function recordForm(
  persisted: Persisted,
  keep: readonly string[] = ['run', 'storeHealth'],
): Persisted {
  const children: Record<string, ChildEntry> = {};
  for (const [id, child] of Object.entries(persisted.children ?? {})) {
    if (keep.includes(child.src))
      children[id] = { ...child, snapshot: recordForm(child.snapshot, keep) };
  }
  return JSON.parse(JSON.stringify({ ...persisted, children })) as Persisted;
}

/** Restores `snapshot` into `machine`; every actor created on the way is listed. */
function restore(machine: AnyStateMachine, snapshot: Persisted) {
  const created: string[] = [];
  const actor = createActor(machine, {
    snapshot,
    inspect: (event) => {
      if (event.type === '@xstate.actor') created.push((event.actorRef as AnyActorRef).id);
    },
  });
  actor.start();
  return { actor, created, context: () => actor.getSnapshot().context as RunContext };
}

describe('the run machine', () => {
  test('no snapshot is ever taken in created: it is left in the first macrostep', () => {
    const spies = spyEffects();
    const actor = createActor(spies.run, {
      input: { runId: 'x', descriptor: {} as never, createdAt: 0 },
    });
    expect(actor.getSnapshot().value).toBe('recording');
  });

  test.each(Object.keys(RUN_STATES_REACHED))(
    'restored in %s: no effect starts, no action runs',
    async (state) => {
      const persisted = await RUN_STATES_REACHED[state]?.();
      if (persisted === undefined) throw new Error(`no recipe for ${state}`);
      expect(persisted.value).toBe(state);
      const r = spiedForRestore();
      const { actor, created, context } = restore(r.run, {
        ...recordForm(persisted),
        children: {},
      });
      expect(actor.getSnapshot().value).toBe(state);
      expect(context()).toEqual(recordForm(persisted).context);
      expect(created).toEqual([actor.id]);
      expect(r.spies.started).toEqual([]);
      expect(r.calls).toEqual([]);
    },
  );

  test('control: restored with its effect children, the launch starts again', async () => {
    const persisted = await RUN_STATES_REACHED.spawning?.();
    if (persisted === undefined) throw new Error('no recipe for spawning');
    expect(Object.values(persisted.children ?? {}).map((c) => c.src)).toEqual(['launch']);
    const r = spiedForRestore();
    restore(r.run, JSON.parse(JSON.stringify(persisted)) as Persisted);
    expect(r.spies.starts('launch')).toHaveLength(1);
  });

  test('restored deadlines are absolute and still fire', async () => {
    const persisted = await RUN_STATES_REACHED.running?.();
    if (persisted === undefined) throw new Error('no recipe for running');
    const spies = spyEffects();
    const { actor, context } = restore(spies.run, recordForm(persisted));
    expect(context().deadlines).toEqual({
      timeoutAt: 10_000,
      noOutputAt: 5_000,
      idleAt: 1_000,
    });
    actor.send({ type: 'TICK', now: 10_000 });
    expect(actor.getSnapshot().value).toBe('finalizing');
    expect(context().endReason).toBe('timeout');
  });
});

describe('the supervisor machine', () => {
  test.each(Object.keys(SUPERVISOR_STATES_REACHED))(
    'restored in %s with its runs as stored: no effect starts, no action runs',
    async (state) => {
      const persisted = await SUPERVISOR_STATES_REACHED[state]?.();
      if (persisted === undefined) throw new Error(`no recipe for ${state}`);
      for (const form of [recordForm(persisted), { ...recordForm(persisted), children: {} }]) {
        const r = spiedForRestore();
        const { actor, created } = restore(r.supervisor, form);
        expect(JSON.stringify(actor.getSnapshot().value)).toBe(JSON.stringify(persisted.value));
        expect(created.sort()).toEqual([actor.id, ...Object.keys(form.children ?? {})].sort());
        expect(r.spies.started).toEqual([]);
        expect(r.calls).toEqual([]);
        // Each restored run is a child again, found by its id.
        for (const [id, child] of Object.entries(form.children ?? {}))
          if (child.src === 'run' && child.snapshot.status === 'active')
            expect(actor.system.get(id)).toBeDefined();
      }
    },
  );

  test('control: restored with its effect children, the store probe starts again', async () => {
    const persisted = await SUPERVISOR_STATES_REACHED['open.active']?.();
    if (persisted === undefined) throw new Error('no recipe for open.active');
    const r = spiedForRestore();
    restore(r.supervisor, JSON.parse(JSON.stringify(persisted)) as Persisted);
    expect(r.spies.starts('probeStore')).toHaveLength(1);
  });
});

describe('the store health machine', () => {
  test.each(['ok', 'degraded'])(
    'restored in %s: no probe starts, nothing is rewritten',
    (state) => {
      const spies = spyEffects();
      const actor = createActor(spies.storeHealth, { input: { since: 0 } });
      actor.start();
      if (state === 'degraded')
        actor.send({ type: 'PROBE_FAILED', error: { code: 'E', message: 'm' }, at: 1 });
      const persisted = actor.getPersistedSnapshot() as Persisted;
      expect(persisted.value).toBe(state);
      const r = spiedForRestore();
      const restored = restore(r.storeHealth, recordForm(persisted));
      expect(restored.actor.getSnapshot().value).toBe(state);
      expect(restored.created).toEqual([restored.actor.id]);
      expect(r.spies.started).toEqual([]);
      expect(r.calls).toEqual([]);
    },
  );
});

test('a restored supervisor hears its restored run again', async () => {
  const sup = await pureSupervisor();
  const id = sup.spawn();
  await sup.spies.settle('writeAhead', id);
  sup.runRef(id).send({ type: 'SPAWNED', pid: 1, identity: fakeIdentity, at: 0 });
  const persisted = recordForm(sup.actor.getPersistedSnapshot());
  const spies = spyEffects();
  const actor = createActor(spies.supervisor, {
    snapshot: persisted,
    input: SUPERVISOR_INPUT,
  }).start();
  const run = actor.system.get(id) as RunActorRef;
  run.send({ type: 'EXITED', exitCode: 0, signal: null, at: 1 });
  run.send({ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 2 });
  expect(actor.getSnapshot().context.runs.map((run) => run.id)).toEqual([]);
  expect(actor.getSnapshot().context.finalRecords).toEqual([id]);
});
