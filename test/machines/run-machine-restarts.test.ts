// Restart policies on the run machine alone, every effect a spy: which ends start another
// generation, when (backoff with jitter, reset after a long enough life), the intensity
// limit, and what a cancel, a release or a later boot does to a run waiting in `backoff`.
import { createActor } from 'xstate';
import { describe, expect, test } from 'vitest';
import { runOutputOf, type RunContext } from '../../src/machines/run-context.js';
import { restartDelay } from '../../src/machines/run-restarts.js';
import { spyEffects } from '../support/model-spies.js';
import { FACTS_FOR, fakeIdentity, runInput, storedContext } from '../support/run-fixtures.js';
import type { RunDescriptor } from '../../src/types.js';

const ID = 'run-test';
const ON_FAILURE = { restart: 'on-failure', restartDelayMs: 100, maxRestartDelayMs: 1000 } as const;

/** A run spawned at `at` (its record durable), every effect a spy. */
async function spawned(overrides: Partial<RunDescriptor>, at = 0) {
  const spies = spyEffects();
  const actor = createActor(spies.run, { input: runInput(overrides) });
  actor.start();
  await spies.settle('writeAhead', ID);
  actor.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at });
  return { actor, spies };
}

type Run = Awaited<ReturnType<typeof spawned>>;

/** The process exits with `exitCode` (or `signal`) at `at`; its tree is verified dead. */
function exits(
  run: Run,
  at: number,
  exitCode: number | null,
  signal: NodeJS.Signals | null = null,
) {
  run.actor.send({ type: 'EXITED', exitCode, signal, at });
  run.actor.send({ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at });
}

/** The next generation's write-ahead lands and its process starts at `at`. */
async function restarts(run: Run, at: number) {
  run.actor.send({ type: 'RESTART_DUE', now: at });
  await run.spies.settle('writeAhead', ID);
  run.actor.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at });
}

const context = (run: Run): RunContext => run.actor.getSnapshot().context;

describe('which ends restart', () => {
  test('on-failure: a non-zero exit waits in backoff; an exit 0 is done', async () => {
    const failed = await spawned(ON_FAILURE);
    exits(failed, 10, 1);
    expect(failed.actor.getSnapshot().value).toBe('backoff');
    expect(failed.spies.starts('restartTimer', ID)).toHaveLength(1);
    expect(context(failed)).toMatchObject({ generationEnd: 'exit', endReason: null, exit: null });

    const succeeded = await spawned(ON_FAILURE);
    exits(succeeded, 10, 0);
    expect(runOutputOf(succeeded.actor.getSnapshot())?.exit).toMatchObject({
      reason: 'exit',
      exitCode: 0,
      restarts: 0,
    });
  });

  test('on-failure restarts after a signal, a timeout and a no-output timeout', async () => {
    const signalled = await spawned(ON_FAILURE);
    exits(signalled, 10, null, 'SIGSEGV');
    expect(signalled.actor.getSnapshot().value).toBe('backoff');

    for (const [deadline, at] of [
      ['timeoutMs', 10_000],
      ['noOutputTimeoutMs', 5_000],
    ] as const) {
      const run = await spawned({ ...ON_FAILURE, [deadline]: at - 1 });
      run.actor.send({ type: 'TICK', now: at });
      expect(run.actor.getSnapshot().value).toBe('finalizing');
      exits(run, at, null, 'SIGTERM');
      expect(run.actor.getSnapshot().value).toBe('backoff');
    }
  });

  test('a failed spawn restarts under on-failure', async () => {
    const spies = spyEffects();
    const actor = createActor(spies.run, { input: runInput(ON_FAILURE) });
    actor.start();
    await spies.settle('writeAhead', ID);
    actor.send({ type: 'SPAWN_FAILED', error: { code: 'ENOENT', message: 'no' }, at: 5 });
    expect(actor.getSnapshot().value).toBe('backoff');
  });

  test('always restarts after an exit 0; never restarts nothing', async () => {
    const always = await spawned({ ...ON_FAILURE, restart: 'always' });
    exits(always, 10, 0);
    expect(always.actor.getSnapshot().value).toBe('backoff');
    const never = await spawned({ restart: 'never' });
    exits(never, 10, 1);
    expect(never.actor.getSnapshot().value).toBe('done');
  });

  test('neither policy restarts after a cancel, a replacement, a shutdown or owner-gone', async () => {
    for (const reason of ['cancelled', 'replaced', 'shutdown', 'owner-gone'] as const) {
      const run = await spawned({ ...ON_FAILURE, restart: 'always' });
      run.actor.send({ type: 'CANCEL', reason, at: 5 });
      exits(run, 6, null, 'SIGTERM');
      expect(runOutputOf(run.actor.getSnapshot())?.exit.reason).toBe(reason);
    }
  });

  test('a tree not verified dead is never started again (one generation alive at a time)', async () => {
    const run = await spawned({ ...ON_FAILURE, restart: 'always' });
    run.actor.send({ type: 'EXITED', exitCode: 1, signal: null, at: 10 });
    run.actor.send({ type: 'TREE_DEAD', forced: true, survivors: [77], error: null, at: 10 });
    expect(runOutputOf(run.actor.getSnapshot())?.exit).toMatchObject({
      reason: 'exit',
      survivors: [77],
    });
  });
});

describe('when: backoff', () => {
  test('the next generation starts at the recorded time, not on an early wake-up', async () => {
    const run = await spawned(ON_FAILURE);
    exits(run, 10, 1);
    const { nextStartAt } = context(run);
    // The first delay: 80% to 100% of restartDelayMs.
    expect(nextStartAt).toBeGreaterThanOrEqual(10 + 80);
    expect(nextStartAt).toBeLessThanOrEqual(10 + 100);
    run.actor.send({ type: 'RESTART_DUE', now: (nextStartAt ?? 0) - 1 });
    expect(run.actor.getSnapshot().value).toBe('backoff');
    expect(run.spies.starts('restartTimer', ID)).toHaveLength(2); // re-armed
    run.actor.send({ type: 'RESTART_DUE', now: nextStartAt ?? 0 });
    // A new generation: its own write-ahead first, the same run id.
    expect(run.actor.getSnapshot().value).toBe('recording');
    expect(context(run)).toMatchObject({
      runId: ID,
      generation: 2,
      restarts: 1,
      pid: null,
      identity: null,
      nextStartAt: null,
      processExit: null,
      termination: null,
    });
    await run.spies.settle('writeAhead', ID);
    expect(run.spies.starts('launch', ID)).toHaveLength(2);
  });

  test('each quick failure doubles the delay up to the maximum; a long life resets it', async () => {
    const run = await spawned({ ...ON_FAILURE, maxRestarts: 100 });
    const delays: number[] = [];
    let at = 0;
    for (let generation = 1; generation <= 6; generation++) {
      exits(run, at + 10, 1);
      const next = context(run).nextStartAt ?? 0;
      delays.push(next - (at + 10));
      await restarts(run, next);
      at = next;
    }
    const nominal = [100, 200, 400, 800, 1000, 1000];
    delays.forEach((delay, index) => {
      expect(delay).toBeGreaterThanOrEqual(0.8 * (nominal[index] ?? 0) - 1);
      expect(delay).toBeLessThanOrEqual(nominal[index] ?? 0);
    });
    // Up for maxRestartDelayMs: the series starts again from restartDelayMs.
    exits(run, at + 1000, 1);
    expect((context(run).nextStartAt ?? 0) - (at + 1000)).toBeLessThanOrEqual(100);
  });

  test('the jitter is a pure function of the run and its generation', () => {
    const base = storedContext({ descriptor: { ...storedContext().descriptor, ...ON_FAILURE } });
    const a = restartDelay({ ...base, endedAt: 10, startedAt: 0 });
    expect(restartDelay({ ...base, endedAt: 10, startedAt: 0 })).toEqual(a);
    expect(restartDelay({ ...base, endedAt: 10, startedAt: 0, generation: 2 }).step).toBe(a.step);
  });
});

describe('the intensity limit', () => {
  test('more than maxRestarts within the window ends the run with restart-limit', async () => {
    const run = await spawned({ ...ON_FAILURE, maxRestarts: 2, restartWindowMs: 60_000 });
    exits(run, 10, 1);
    await restarts(run, context(run).nextStartAt ?? 0);
    exits(run, 500, 2);
    await restarts(run, context(run).nextStartAt ?? 0);
    exits(run, 1500, 3);
    const output = runOutputOf(run.actor.getSnapshot());
    expect(output?.outcome).toBe('done');
    // The last generation's details stay.
    expect(output?.exit).toMatchObject({ reason: 'restart-limit', exitCode: 3, restarts: 2 });
  });

  test('restarts older than the window no longer count', async () => {
    const run = await spawned({ ...ON_FAILURE, maxRestarts: 1, restartWindowMs: 1000 });
    exits(run, 10, 1);
    await restarts(run, context(run).nextStartAt ?? 0);
    exits(run, 5000, 1);
    expect(run.actor.getSnapshot().value).toBe('backoff');
    expect(context(run).restartedAt).toHaveLength(1);
  });

  test('a run that timed out at its last generation keeps timedOut in its restart-limit exit', async () => {
    const run = await spawned({ ...ON_FAILURE, maxRestarts: 0, timeoutMs: 50 });
    run.actor.send({ type: 'TICK', now: 60 });
    exits(run, 60, null, 'SIGTERM');
    expect(runOutputOf(run.actor.getSnapshot())?.exit).toMatchObject({
      reason: 'restart-limit',
      timedOut: true,
    });
  });
});

describe('a run waiting in backoff', () => {
  test('a cancel ends it at once: done, cancelled, the timer stopped, nothing launched', async () => {
    const run = await spawned(ON_FAILURE);
    exits(run, 10, 1);
    run.actor.send({ type: 'CANCEL', reason: 'cancelled', at: 20 });
    expect(runOutputOf(run.actor.getSnapshot())?.exit).toMatchObject({
      reason: 'cancelled',
      restarts: 0,
    });
    const timers = run.spies.starts('restartTimer', ID);
    expect(timers).toHaveLength(1);
    expect(run.spies.stopped).toContain(timers[0]);
    expect(run.spies.starts('launch', ID)).toHaveLength(1);
  });

  test('a release hands it on with its start time; the next boot waits for that time', async () => {
    const run = await spawned(ON_FAILURE);
    exits(run, 10, 1);
    const { nextStartAt } = context(run);
    run.actor.send({ type: 'RELEASE', at: 20 });
    expect(runOutputOf(run.actor.getSnapshot())?.outcome).toBe('released');

    // The next boot adopts the record: back in backoff, whatever boot found of processes.
    const spies = spyEffects();
    const adopted = createActor(spies.run, { input: { record: context(run) } });
    adopted.start();
    adopted.send({ type: 'ADOPT', facts: FACTS_FOR.lost, root: null, at: 30 });
    expect(adopted.getSnapshot().value).toBe('backoff');
    expect(adopted.getSnapshot().context.nextStartAt).toBe(nextStartAt);
    expect(spies.starts('restartTimer', ID)).toHaveLength(1);
    expect(spies.starts('launch')).toEqual([]);
  });

  test('an always run whose orphan a boot kills starts again once its tree is dead', () => {
    const spies = spyEffects();
    const record = storedContext({
      descriptor: { ...storedContext().descriptor, ...ON_FAILURE, restart: 'always' },
    });
    const actor = createActor(spies.run, { input: { record } });
    actor.start();
    actor.send({ type: 'ADOPT', facts: FACTS_FOR.kill, root: fakeIdentity, at: 100 });
    expect(actor.getSnapshot().value).toBe('finalizing');
    exits({ actor, spies }, 200, null, null);
    expect(actor.getSnapshot().value).toBe('backoff');
    expect(actor.getSnapshot().context.generationEnd).toBe('orphan-killed');
  });

  test('an on-failure run whose orphan a boot kills is done: the kill was ours, no failure', () => {
    const spies = spyEffects();
    const record = storedContext({
      descriptor: { ...storedContext().descriptor, ...ON_FAILURE },
    });
    const actor = createActor(spies.run, { input: { record } });
    actor.start();
    actor.send({ type: 'ADOPT', facts: FACTS_FOR.kill, root: fakeIdentity, at: 100 });
    exits({ actor, spies }, 200, null, null);
    expect(runOutputOf(actor.getSnapshot())?.exit.reason).toBe('orphan-killed');
  });
});
