import { createActor } from 'xstate';
import { describe, expect, test, vi } from 'vitest';
import { runMachine } from '../../src/machines/run-machine.js';
import { fakeIdentity, runInput } from '../support/run-fixtures.js';

// Spies for every named effect: the machine itself performs no I/O.
function start(overrides: Parameters<typeof runInput>[0] = {}) {
  const effects = {
    finalizePredecessors: vi.fn(),
    spawnProcess: vi.fn(),
    terminateTree: vi.fn(),
    releaseProcess: vi.fn(),
  };
  const machine = runMachine.provide({ actions: effects });
  const actor = createActor(machine, { input: runInput(overrides) });
  actor.start();
  return { actor, effects, machine };
}

const spawned = { type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: 0 } as const;
const treeDead = { type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 50 } as const;

describe('run machine', () => {
  test('a new run starts in replacing and asks for its predecessors to be finalized', () => {
    const { actor, effects } = start();
    expect(actor.getSnapshot().value).toBe('replacing');
    expect(effects.finalizePredecessors).toHaveBeenCalledTimes(1);
    expect(effects.spawnProcess).not.toHaveBeenCalled();
  });

  test('spawns only after predecessors are done, then runs with absolute deadlines', () => {
    const { actor, effects } = start();
    actor.send({ type: 'PREDECESSORS_DONE' });
    expect(actor.getSnapshot().value).toBe('spawning');
    expect(effects.spawnProcess).toHaveBeenCalledTimes(1);
    actor.send({ ...spawned, at: 1000 });
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('running');
    expect(context.pid).toBe(fakeIdentity.pid);
    expect(context.deadlines).toEqual({ timeoutAt: 11_000, noOutputAt: 6_000, idleAt: 2_000 });
  });

  test('a natural exit finalizes (sweeping leftovers) and ends with reason exit', () => {
    const { actor, effects } = start();
    actor.send({ type: 'PREDECESSORS_DONE' });
    actor.send(spawned);
    actor.send({ type: 'EXITED', exitCode: 3, signal: null, at: 40 });
    expect(actor.getSnapshot().value).toBe('finalizing');
    expect(effects.terminateTree).toHaveBeenCalledTimes(1);
    actor.send(treeDead);
    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('done');
    expect(snapshot.status).toBe('done');
    expect(snapshot.output).toMatchObject({
      reason: 'exit',
      exitCode: 3,
      signal: null,
      durationMs: 50,
    });
    expect(effects.releaseProcess).toHaveBeenCalledTimes(1);
  });

  test('a signal death ends with reason signal', () => {
    const { actor } = start();
    actor.send({ type: 'PREDECESSORS_DONE' });
    actor.send(spawned);
    actor.send({ type: 'EXITED', exitCode: null, signal: 'SIGSEGV', at: 10 });
    actor.send(treeDead);
    expect(actor.getSnapshot().output).toMatchObject({ reason: 'signal', signal: 'SIGSEGV' });
  });

  test('finalizing waits for both the exit report and the dead tree, in either order', () => {
    const { actor } = start();
    actor.send({ type: 'PREDECESSORS_DONE' });
    actor.send(spawned);
    actor.send({ type: 'CANCEL', reason: 'cancelled', at: 5 });
    actor.send({ ...treeDead, forced: true });
    expect(actor.getSnapshot().value).toBe('finalizing');
    actor.send({ type: 'EXITED', exitCode: null, signal: 'SIGKILL', at: 60 });
    expect(actor.getSnapshot().output).toMatchObject({
      reason: 'cancelled',
      forced: true,
      signal: 'SIGKILL',
      durationMs: 60,
    });
  });

  test('cancel keeps its reason even when the process then dies of the signal', () => {
    const { actor } = start();
    actor.send({ type: 'PREDECESSORS_DONE' });
    actor.send(spawned);
    actor.send({ type: 'CANCEL', reason: 'replaced', at: 5 });
    actor.send({ type: 'EXITED', exitCode: null, signal: 'SIGTERM', at: 6 });
    actor.send(treeDead);
    expect(actor.getSnapshot().output?.reason).toBe('replaced');
  });

  test('a spawn failure ends the run with spawn-error and its message', () => {
    const { actor, effects } = start();
    actor.send({ type: 'PREDECESSORS_DONE' });
    actor.send({
      type: 'SPAWN_FAILED',
      error: { code: 'E_COMMAND_NOT_FOUND', message: 'nope' },
      at: 3,
    });
    expect(actor.getSnapshot().output).toMatchObject({
      reason: 'spawn-error',
      error: { code: 'E_COMMAND_NOT_FOUND', message: 'nope' },
    });
    expect(effects.terminateTree).not.toHaveBeenCalled();
  });

  test('a run cancelled while replacing never spawns', () => {
    const { actor, effects } = start();
    actor.send({ type: 'CANCEL', reason: 'replaced', at: 1 });
    expect(actor.getSnapshot().output?.reason).toBe('replaced');
    expect(effects.spawnProcess).not.toHaveBeenCalled();
  });

  describe('watchdog ticks', () => {
    function running() {
      const run = start();
      run.actor.send({ type: 'PREDECESSORS_DONE' });
      run.actor.send(spawned);
      return run;
    }

    test('no output for idleAfterMs makes the run idle; output makes it running again', () => {
      const { actor } = running();
      actor.send({ type: 'TICK', now: 999 });
      expect(actor.getSnapshot().value).toBe('running');
      actor.send({ type: 'TICK', now: 1000 });
      expect(actor.getSnapshot().value).toBe('idle');
      actor.send({ type: 'OUTPUT', bytes: 7, at: 1500 });
      const { value, context } = actor.getSnapshot();
      expect(value).toBe('running');
      expect(context.outputBytes).toBe(7);
      expect(context.deadlines).toEqual({ timeoutAt: 10_000, noOutputAt: 6_500, idleAt: 2_500 });
    });

    test('the no-output deadline is re-armed by output', () => {
      const { actor } = running();
      actor.send({ type: 'OUTPUT', bytes: 1, at: 4_000 });
      expect(actor.getSnapshot().context.deadlines).toEqual({
        timeoutAt: 10_000,
        noOutputAt: 9_000,
        idleAt: 5_000,
      });
      actor.send({ type: 'TICK', now: 5_000 }); // the first no-output deadline, passed
      expect(actor.getSnapshot().value).toBe('idle');
      actor.send({ type: 'TICK', now: 8_999 });
      expect(actor.getSnapshot().value).toBe('idle');
      actor.send({ type: 'TICK', now: 9_000 });
      expect(actor.getSnapshot().value).toBe('finalizing');
      expect(actor.getSnapshot().context.endReason).toBe('no-output-timeout');
    });

    test('the overall timeout wins when both are due', () => {
      const { actor } = running();
      actor.send({ type: 'TICK', now: 10_000 });
      expect(actor.getSnapshot().context.endReason).toBe('timeout');
      actor.send({ type: 'EXITED', exitCode: null, signal: 'SIGTERM', at: 10_010 });
      actor.send({ ...treeDead, at: 10_020 });
      expect(actor.getSnapshot().output).toMatchObject({ timedOut: true, noOutputTimedOut: false });
    });

    test('a run without deadlines ignores ticks', () => {
      const { actor } = start({ timeoutMs: null, noOutputTimeoutMs: null, idleAfterMs: null });
      actor.send({ type: 'PREDECESSORS_DONE' });
      actor.send(spawned);
      actor.send({ type: 'TICK', now: Number.MAX_SAFE_INTEGER });
      expect(actor.getSnapshot().value).toBe('running');
    });
  });

  describe('orphans', () => {
    test('an orphan with a verified identity can be reattached', () => {
      const { actor } = start();
      actor.send({ type: 'PREDECESSORS_DONE' });
      actor.send(spawned);
      actor.send({ type: 'ORPHANED', at: 10 });
      expect(actor.getSnapshot().value).toBe('orphaned');
      actor.send({ type: 'REATTACH', identity: fakeIdentity, at: 20 });
      expect(actor.getSnapshot().value).toBe('running');
    });

    test('an orphan that never had a recorded identity takes the recovered root on reattach', () => {
      const { actor } = start();
      actor.send({ type: 'PREDECESSORS_DONE' });
      actor.send({ type: 'ORPHANED', at: 1 });
      actor.send({ type: 'REATTACH', identity: fakeIdentity, at: 2 });
      expect(actor.getSnapshot().value).toBe('running');
      expect(actor.getSnapshot().context).toMatchObject({
        pid: fakeIdentity.pid,
        identity: fakeIdentity,
      });
    });

    test('a hosted orphan whose identity was never read is reattached without one', () => {
      const { actor } = start();
      actor.send({ type: 'PREDECESSORS_DONE' });
      actor.send({ type: 'ORPHANED', at: 1 });
      actor.send({ type: 'REATTACH', identity: null, at: 2 });
      expect(actor.getSnapshot().value).toBe('running');
      expect(actor.getSnapshot().context).toMatchObject({ pid: null, identity: null });
    });

    test('a reattached run keeps its absolute timeout and drops output deadlines it cannot see', () => {
      const { actor } = start();
      actor.send({ type: 'PREDECESSORS_DONE' });
      actor.send({ ...spawned, at: 100 });
      actor.send({ type: 'ORPHANED', at: 500 });
      actor.send({ type: 'REATTACH', identity: fakeIdentity, at: 600 });
      expect(actor.getSnapshot().context.deadlines).toEqual({
        timeoutAt: 10_100,
        noOutputAt: null,
        idleAt: null,
      });
      actor.send({ type: 'TICK', now: 10_099 });
      expect(actor.getSnapshot().value).toBe('running');
      actor.send({ type: 'TICK', now: 10_100 });
      expect(actor.getSnapshot().context.endReason).toBe('timeout');
    });

    test('a run reattached from a record without a start counts its timeout from the reattach', () => {
      const { actor } = start();
      actor.send({ type: 'PREDECESSORS_DONE' });
      actor.send({ type: 'ORPHANED', at: 5 });
      actor.send({ type: 'REATTACH', identity: fakeIdentity, at: 700 });
      expect(actor.getSnapshot().context).toMatchObject({
        startedAt: 700,
        deadlines: { timeoutAt: 10_700, noOutputAt: null, idleAt: null },
      });
    });

    test('an orphan whose process is gone is lost', () => {
      const { actor } = start();
      actor.send({ type: 'ORPHANED', at: 1 });
      actor.send({ type: 'LOST', at: 3 });
      expect(actor.getSnapshot().output).toMatchObject({ reason: 'lost', exitCode: null });
    });

    test('an orphan that was being finalized is not reattached, and keeps its reason', () => {
      const { actor } = start();
      actor.send({ type: 'PREDECESSORS_DONE' });
      actor.send(spawned);
      actor.send({ type: 'CANCEL', reason: 'cancelled', at: 5 });
      actor.send({ type: 'ORPHANED', at: 10 });
      actor.send({ type: 'REATTACH', identity: fakeIdentity, at: 11 });
      expect(actor.getSnapshot().value).toBe('orphaned');
      actor.send({ type: 'CANCEL', reason: 'orphan-killed', at: 12 });
      actor.send({ type: 'EXITED', exitCode: null, signal: null, at: 13 });
      actor.send(treeDead);
      expect(actor.getSnapshot().output?.reason).toBe('cancelled');
    });

    test('killing an orphan finalizes it with reason orphan-killed', () => {
      const { actor, effects } = start();
      actor.send({ type: 'PREDECESSORS_DONE' });
      actor.send(spawned);
      actor.send({ type: 'ORPHANED', at: 10 });
      actor.send({ type: 'CANCEL', reason: 'orphan-killed', at: 11 });
      expect(effects.terminateTree).toHaveBeenCalledTimes(1);
      actor.send({ type: 'EXITED', exitCode: null, signal: null, at: 12 });
      actor.send(treeDead);
      expect(actor.getSnapshot().output?.reason).toBe('orphan-killed');
    });
  });
});
