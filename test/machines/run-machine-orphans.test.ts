// A run adopted from a stored record: it starts `orphaned` (never recording, never spawning)
// and boot's facts decide it through the machine's guards.
import { createActor } from 'xstate';
import { describe, expect, test } from 'vitest';
import { releasedExit, runOutputOf, type RunContext } from '../../src/machines/run-context.js';
import { spyEffects } from '../support/model-spies.js';
import { FACTS_FOR, fakeIdentity, storedContext } from '../support/run-fixtures.js';

const treeDead = { type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 900 } as const;

function adopt(record: RunContext = storedContext()) {
  const spies = spyEffects();
  const actor = createActor(spies.run, { input: { record } });
  actor.start();
  return { actor, spies };
}

describe('adopted records', () => {
  test('an adopted record waits in orphaned for the facts, and starts nothing', () => {
    const { actor, spies } = adopt();
    expect(actor.getSnapshot().value).toBe('orphaned');
    expect(actor.getSnapshot().context.origin).toBe('record');
    expect(spies.started).toEqual([]);
  });

  test('reattach: running again, followed, with its absolute timeout and no output deadlines', () => {
    const { actor, spies } = adopt();
    actor.send({ type: 'ADOPT', facts: FACTS_FOR.reattach, root: fakeIdentity, at: 600 });
    const { value, context } = actor.getSnapshot();
    expect(value).toBe('running');
    expect(context.deadlines).toEqual({ timeoutAt: 10_100, noOutputAt: null, idleAt: null });
    expect(spies.actions.followAdopted).toHaveBeenCalledTimes(1);
    expect(spies.starts('watchdog')).toHaveLength(1);
    actor.send({ type: 'TICK', now: 10_099 });
    expect(actor.getSnapshot().value).toBe('running');
    actor.send({ type: 'TICK', now: 10_100 });
    expect(actor.getSnapshot().context.endReason).toBe('timeout');
  });

  test('reattach of a record that never had an identity takes the recovered root', () => {
    const record = storedContext({
      pid: null,
      identity: null,
      startedAt: null,
      deadlines: { timeoutAt: null, noOutputAt: null, idleAt: null },
    });
    const { actor } = adopt(record);
    actor.send({ type: 'ADOPT', facts: FACTS_FOR.reattach, root: fakeIdentity, at: 700 });
    expect(actor.getSnapshot().context).toMatchObject({
      pid: fakeIdentity.pid,
      identity: fakeIdentity,
      startedAt: 700,
      deadlines: { timeoutAt: 10_700, noOutputAt: null, idleAt: null },
    });
  });

  test('kill: finalizing with orphan-killed, followed while its tree is ended', () => {
    const { actor, spies } = adopt();
    actor.send({ type: 'ADOPT', facts: FACTS_FOR.kill, root: fakeIdentity, at: 600 });
    expect(actor.getSnapshot().value).toBe('finalizing');
    expect(spies.actions.followAdopted).toHaveBeenCalledTimes(1);
    expect(spies.starts('terminate')).toHaveLength(1);
    actor.send({ type: 'EXITED', exitCode: null, signal: null, at: 800 });
    actor.send(treeDead);
    expect(runOutputOf(actor.getSnapshot())).toMatchObject({
      outcome: 'done',
      exit: { reason: 'orphan-killed', exitCode: null },
    });
  });

  test('a run orphaned while it was being finalized keeps its reason', () => {
    const record = storedContext({ endReason: 'cancelled' });
    const { actor } = adopt(record);
    actor.send({
      type: 'ADOPT',
      facts: { ...FACTS_FOR.reattach, wasFinalizing: true },
      root: fakeIdentity,
      at: 1,
    });
    expect(actor.getSnapshot().value).toBe('finalizing');
    actor.send({ type: 'EXITED', exitCode: null, signal: null, at: 2 });
    actor.send(treeDead);
    expect(runOutputOf(actor.getSnapshot())?.exit.reason).toBe('cancelled');
  });

  test('lost: done at once, nothing followed or signalled', () => {
    const { actor, spies } = adopt();
    actor.send({ type: 'ADOPT', facts: FACTS_FOR.lost, root: null, at: 3 });
    expect(runOutputOf(actor.getSnapshot())).toMatchObject({
      outcome: 'done',
      exit: { reason: 'lost' },
    });
    expect(spies.started).toEqual([]);
    expect(spies.actions.followAdopted).not.toHaveBeenCalled();
    expect(spies.actions.releaseProcess).toHaveBeenCalledTimes(1);
  });

  test('uncertain: stays orphaned, reported, never signalled', () => {
    const { actor, spies } = adopt();
    actor.send({ type: 'ADOPT', facts: FACTS_FOR.uncertain, root: null, at: 3 });
    expect(actor.getSnapshot().value).toBe('orphaned');
    expect(spies.started).toEqual([]);
  });

  test('an uncertain orphan can still be cancelled, or released', () => {
    const cancelled = adopt();
    cancelled.actor.send({ type: 'ADOPT', facts: FACTS_FOR.uncertain, root: null, at: 3 });
    cancelled.actor.send({ type: 'CANCEL', reason: 'cancelled', at: 4 });
    expect(cancelled.actor.getSnapshot().value).toBe('finalizing');
    expect(cancelled.spies.starts('terminate')).toHaveLength(1);
    const released = adopt();
    released.actor.send({ type: 'ADOPT', facts: FACTS_FOR.uncertain, root: null, at: 3 });
    released.actor.send({ type: 'RELEASE', at: 4 });
    expect(runOutputOf(released.actor.getSnapshot())?.outcome).toBe('released');
    expect(released.spies.started).toEqual([]);
  });

  test('the record of a released run is adopted with what it held', () => {
    const record = storedContext({
      exit: {
        reason: 'released',
        exitCode: null,
        signal: null,
        durationMs: 0,
        timedOut: false,
        noOutputTimedOut: false,
        forced: false,
        error: null,
        survivors: [],
        restarts: 0,
      },
    });
    const { actor } = adopt(record);
    actor.send({ type: 'ADOPT', facts: FACTS_FOR.kill, root: fakeIdentity, at: 600 });
    actor.send({ type: 'EXITED', exitCode: null, signal: null, at: 800 });
    actor.send(treeDead);
    // The released exit was the last supervisor's view; the end is this one's.
    expect(runOutputOf(actor.getSnapshot())?.exit.reason).toBe('orphan-killed');
  });
});

// An adopted record's RunExit (the last supervisor's `released`) is not this run's end.
test('a reattached run has no exit while it runs again', () => {
  const record = storedContext({ exit: releasedExit(storedContext(), 500) });
  const { actor } = adopt(record);
  actor.send({ type: 'ADOPT', facts: FACTS_FOR.reattach, root: fakeIdentity, at: 600 });
  expect(actor.getSnapshot().value).toBe('running');
  expect(actor.getSnapshot().context.exit).toBeNull();
});
