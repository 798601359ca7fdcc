// The run machine on its own, every effect a spy: what each state starts, what each event
// decides, and that leaving a state stops the effect it started.
import { createActor } from 'xstate';
import { describe, expect, test } from 'vitest';
import { runOutputOf } from '../../src/machines/run-context.js';
import { pureSupervisor, spyEffects } from '../support/model-spies.js';
import { fakeIdentity, runInput } from '../support/run-fixtures.js';

const ID = 'run-test';
const spawnedAt = (at: number) =>
  ({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at }) as const;
const treeDead = { type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 50 } as const;

/** A new run (no scope replacement), started; its write-ahead is pending. */
function start(overrides: Parameters<typeof runInput>[0] = {}) {
  const spies = spyEffects();
  const actor = createActor(spies.run, { input: runInput(overrides) });
  actor.start();
  return { actor, spies };
}

/** A run whose record is durable and whose process was spawned at 0. */
async function running(overrides: Parameters<typeof runInput>[0] = {}) {
  const run = start(overrides);
  await run.spies.settle('writeAhead', ID);
  run.actor.send(spawnedAt(0));
  return run;
}

describe('recording: the write-ahead', () => {
  test('a new run records itself first, and starts nothing else', () => {
    const { actor, spies } = start();
    expect(actor.getSnapshot().value).toBe('recording');
    expect(spies.started.map((s) => [s.src, s.runId])).toEqual([['writeAhead', ID]]);
  });

  test('once its record is durable it spawns', async () => {
    const { actor, spies } = start();
    await spies.settle('writeAhead', ID);
    expect(actor.getSnapshot().value).toBe('spawning');
    expect(spies.starts('launch', ID)).toHaveLength(1);
  });

  test('a record that cannot be stored refuses the run: no process, outcome refused', async () => {
    const { actor, spies } = start();
    await spies.settle('writeAhead', ID, new Error('disk on fire'));
    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('refused');
    // Terminal but not final: a final child would leave a done event type per run behind.
    expect(snapshot.status).toBe('active');
    expect(runOutputOf(snapshot)).toMatchObject({ runId: ID, outcome: 'refused' });
    expect(runOutputOf(snapshot)?.exit.reason).toBe('spawn-error');
    expect(runOutputOf(snapshot)?.exit.error).not.toBeNull();
    expect(spies.starts('launch')).toEqual([]);
  });

  test('cancelled while recording: done, never spawned, the write-ahead stopped', async () => {
    const { actor, spies } = start();
    actor.send({ type: 'CANCEL', reason: 'cancelled', at: 3 });
    expect(runOutputOf(actor.getSnapshot())).toMatchObject({
      outcome: 'done',
      exit: { reason: 'cancelled' },
    });
    await expect(spies.settle('writeAhead', ID)).resolves.toBeUndefined();
    expect(actor.getSnapshot().value).toBe('done');
    expect(spies.starts('launch')).toEqual([]);
  });

  test('released while recording: released, nothing spawned or signalled', () => {
    const { actor, spies } = start();
    actor.send({ type: 'RELEASE', at: 4 });
    expect(runOutputOf(actor.getSnapshot())).toMatchObject({
      outcome: 'released',
      exit: { reason: 'released' },
    });
    expect(spies.actions.detachProcess).toHaveBeenCalledTimes(1);
    expect(spies.starts('launch')).toEqual([]);
  });
});

describe('replacing: a child asks its supervisor', () => {
  const scoped = { scopeKey: 's', replaceExistingScope: true };

  test('with no live predecessor the supervisor answers at once, and it spawns', async () => {
    const sup = await pureSupervisor();
    const id = sup.spawn(scoped);
    await sup.spies.settle('writeAhead', id);
    expect(sup.runRef(id).getSnapshot().value).toBe('spawning');
    expect(sup.spies.starts('launch', id)).toHaveLength(1);
  });

  test('it waits in replacing until its predecessor is done, then spawns', async () => {
    const sup = await pureSupervisor();
    const old = sup.spawn({ scopeKey: 's' });
    await sup.spies.settle('writeAhead', old);
    sup.runRef(old).send(spawnedAt(0));
    const id = sup.spawn(scoped);
    await sup.spies.settle('writeAhead', id);
    expect(sup.runRef(id).getSnapshot().value).toBe('replacing');
    expect(sup.runRef(old).getSnapshot().context.endReason).toBe('replaced');
    expect(sup.spies.starts('launch', id)).toEqual([]);
    sup.runRef(old).send({ type: 'EXITED', exitCode: null, signal: 'SIGTERM', at: 5 });
    sup.runRef(old).send(treeDead);
    expect(sup.runRef(id).getSnapshot().value).toBe('spawning');
  });

  test.each([
    [{ type: 'CANCEL', reason: 'cancelled', at: 1 } as const, 'done', 'cancelled'],
    [{ type: 'RELEASE', at: 1 } as const, 'released', 'released'],
  ])('%o while replacing ends it in %s without a spawn', async (event, state, reason) => {
    const sup = await pureSupervisor();
    const old = sup.spawn({ scopeKey: 's' });
    await sup.spies.settle('writeAhead', old);
    sup.runRef(old).send(spawnedAt(0));
    const id = sup.spawn(scoped);
    await sup.spies.settle('writeAhead', id);
    const ref = sup.runRef(id);
    ref.send(event);
    expect(ref.getSnapshot().value).toBe(state);
    expect(runOutputOf(ref.getSnapshot())?.exit.reason).toBe(reason);
    expect(sup.spies.starts('launch', id)).toEqual([]);
  });
});

describe('spawning: a launch cannot be taken back', () => {
  test('spawned: running with absolute deadlines, the watchdog armed', async () => {
    const { actor, spies } = start();
    await spies.settle('writeAhead', ID);
    actor.send(spawnedAt(1000));
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('running');
    expect(context.pid).toBe(fakeIdentity.pid);
    expect(context.deadlines).toEqual({ timeoutAt: 11_000, noOutputAt: 6_000, idleAt: 2_000 });
    expect(spies.stopped.map((s) => s.src)).toEqual(['launch']);
    expect(spies.starts('watchdog').map((s) => s.input)).toEqual([
      { runId: ID, deadlines: context.deadlines, idle: false },
    ]);
  });

  test('a spawn failure ends the run with spawn-error and no termination', async () => {
    const { actor, spies } = start();
    await spies.settle('writeAhead', ID);
    const error = { code: 'E_COMMAND_NOT_FOUND', message: 'nope' };
    actor.send({ type: 'SPAWN_FAILED', error, at: 3 });
    expect(runOutputOf(actor.getSnapshot())?.exit).toMatchObject({ reason: 'spawn-error', error });
    expect(spies.starts('terminate')).toEqual([]);
  });

  test('a cancel is remembered: the launch goes on, and the spawned process is finalized', async () => {
    const { actor, spies } = start();
    await spies.settle('writeAhead', ID);
    actor.send({ type: 'CANCEL', reason: 'cancelled', at: 2 });
    expect(actor.getSnapshot().value).toBe('spawning');
    expect(spies.stopped).toEqual([]);
    actor.send(spawnedAt(3));
    expect(actor.getSnapshot().value).toBe('finalizing');
    expect(actor.getSnapshot().context).toMatchObject({
      endReason: 'cancelled',
      pid: fakeIdentity.pid,
    });
    expect(spies.starts('terminate', ID)).toHaveLength(1);
  });

  test('a release is remembered, and wins over a cancel: the process is recorded, then left', async () => {
    const { actor, spies } = start();
    await spies.settle('writeAhead', ID);
    actor.send({ type: 'RELEASE', at: 2 });
    actor.send({ type: 'CANCEL', reason: 'cancelled', at: 2 });
    actor.send(spawnedAt(3));
    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('released');
    expect(snapshot.context.identity).toEqual(fakeIdentity);
    expect(runOutputOf(snapshot)?.outcome).toBe('released');
    expect(spies.starts('terminate')).toEqual([]);
    expect(spies.actions.detachProcess).toHaveBeenCalledTimes(1);
  });
});

describe('running and idle: the watchdog', () => {
  test('an early tick re-enters running, which re-arms the watchdog with the moved deadlines', async () => {
    const { actor, spies } = await running();
    actor.send({ type: 'OUTPUT', bytes: 4, at: 500 });
    actor.send({ type: 'TICK', now: 1000 });
    expect(actor.getSnapshot().value).toBe('running');
    expect(spies.stopped.filter((s) => s.src === 'watchdog')).toHaveLength(1);
    expect(
      spies.starts('watchdog').map((s) => (s.input as { deadlines: unknown }).deadlines),
    ).toEqual([
      { timeoutAt: 10_000, noOutputAt: 5_000, idleAt: 1_000 },
      { timeoutAt: 10_000, noOutputAt: 5_500, idleAt: 1_500 },
    ]);
  });

  test('idle after idleAfterMs without output; output makes it running again', async () => {
    const { actor, spies } = await running();
    actor.send({ type: 'TICK', now: 1000 });
    expect(actor.getSnapshot().value).toBe('idle');
    expect(spies.starts('watchdog').at(-1)?.input).toMatchObject({ idle: true });
    actor.send({ type: 'TICK', now: 1200 });
    expect(actor.getSnapshot().value).toBe('idle');
    expect(spies.starts('watchdog')).toHaveLength(3);
    actor.send({ type: 'OUTPUT', bytes: 7, at: 1500 });
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('running');
    expect(context.outputBytes).toBe(7);
    expect(context.deadlines).toEqual({ timeoutAt: 10_000, noOutputAt: 6_500, idleAt: 2_500 });
  });

  test.each([
    ['running', 5_000, 'no-output-timeout'],
    ['running', 10_000, 'timeout'],
    ['idle', 5_000, 'no-output-timeout'],
    ['idle', 10_000, 'timeout'],
  ] as const)(
    'in %s a tick at %i expires it (%s), stopping the watchdog',
    async (from, now, reason) => {
      const { actor, spies } = await running();
      if (from === 'idle') actor.send({ type: 'TICK', now: 1000 });
      actor.send({ type: 'TICK', now });
      expect(actor.getSnapshot().value).toBe('finalizing');
      expect(actor.getSnapshot().context.endReason).toBe(reason);
      expect(spies.stopped.map((s) => s.src).at(-1)).toBe('watchdog');
      expect(spies.starts('terminate')).toHaveLength(1);
    },
  );

  test.each(['running', 'idle'] as const)('in %s: exit, cancel and release', async (from) => {
    for (const [event, state, reason] of [
      [{ type: 'EXITED', exitCode: 3, signal: null, at: 40 }, 'finalizing', 'exit'],
      [{ type: 'CANCEL', reason: 'owner-gone', at: 40 }, 'finalizing', 'owner-gone'],
      [{ type: 'RELEASE', at: 40 }, 'released', null],
    ] as const) {
      const { actor, spies } = await running();
      if (from === 'idle') actor.send({ type: 'TICK', now: 1000 });
      actor.send(event);
      expect(actor.getSnapshot().value).toBe(state);
      expect(actor.getSnapshot().context.endReason).toBe(reason);
      expect(spies.starts('terminate')).toHaveLength(state === 'finalizing' ? 1 : 0);
    }
  });

  test('a run without deadlines ignores ticks', async () => {
    const { actor } = await running({
      timeoutMs: null,
      noOutputTimeoutMs: null,
      idleAfterMs: null,
    });
    actor.send({ type: 'TICK', now: Number.MAX_SAFE_INTEGER });
    expect(actor.getSnapshot().value).toBe('running');
  });
});

describe('finalizing', () => {
  test('waits for both the exit report and the dead tree, in either order', async () => {
    const { actor, spies } = await running();
    actor.send({ type: 'CANCEL', reason: 'cancelled', at: 5 });
    actor.send({ type: 'OUTPUT', bytes: 3, at: 6 });
    actor.send({ ...treeDead, forced: true });
    expect(actor.getSnapshot().value).toBe('finalizing');
    actor.send({ type: 'EXITED', exitCode: null, signal: 'SIGKILL', at: 60 });
    expect(runOutputOf(actor.getSnapshot())).toMatchObject({
      outcome: 'done',
      exit: { reason: 'cancelled', forced: true, signal: 'SIGKILL', durationMs: 60 },
    });
    expect(actor.getSnapshot().context.outputBytes).toBe(3);
    expect(spies.actions.releaseProcess).toHaveBeenCalledTimes(1);
  });

  test('the first reason wins over the signal the process then dies of', async () => {
    const { actor } = await running();
    actor.send({ type: 'CANCEL', reason: 'replaced', at: 5 });
    actor.send({ type: 'EXITED', exitCode: null, signal: 'SIGTERM', at: 6 });
    actor.send(treeDead);
    expect(runOutputOf(actor.getSnapshot())?.exit.reason).toBe('replaced');
  });

  test('a natural exit, then the dead tree: reason exit, or signal', async () => {
    for (const [signal, reason] of [
      [null, 'exit'],
      ['SIGSEGV', 'signal'],
    ] as const) {
      const { actor } = await running();
      actor.send({ type: 'EXITED', exitCode: signal === null ? 3 : null, signal, at: 40 });
      actor.send(treeDead);
      expect(actor.getSnapshot().context.exit).toMatchObject({ reason, signal, durationMs: 50 });
    }
  });

  test('released while finalizing: the termination is stopped, the reason kept for the next boot', async () => {
    const { actor, spies } = await running();
    actor.send({ type: 'CANCEL', reason: 'cancelled', at: 5 });
    actor.send({ type: 'RELEASE', at: 6 });
    expect(actor.getSnapshot().value).toBe('released');
    expect(actor.getSnapshot().context.endReason).toBe('cancelled');
    expect(spies.stopped.map((s) => s.src).at(-1)).toBe('terminate');
  });
});
