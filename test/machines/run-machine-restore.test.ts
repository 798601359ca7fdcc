// Restoring a persisted snapshot must never spawn: entry actions are not re-run, and the
// machine has no invoked actors that would restart.
import { createActor } from 'xstate';
import { expect, test, vi } from 'vitest';
import { runMachine } from '../../src/machines/run-machine.js';
import { fakeIdentity, runInput } from '../support/run-fixtures.js';

function provided() {
  const effects = {
    finalizePredecessors: vi.fn(),
    spawnProcess: vi.fn(),
    terminateTree: vi.fn(),
    releaseProcess: vi.fn(),
  };
  return { effects, machine: runMachine.provide({ actions: effects }) };
}

/** Drives a run to `state` and returns its persisted snapshot after a JSON round trip. */
function persistedIn(state: 'replacing' | 'spawning' | 'running' | 'idle' | 'finalizing'): unknown {
  const { machine } = provided();
  const actor = createActor(machine, { input: runInput() });
  actor.start();
  if (state !== 'replacing') actor.send({ type: 'PREDECESSORS_DONE' });
  if (state === 'running' || state === 'idle' || state === 'finalizing') {
    actor.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: 0 });
  }
  if (state === 'idle') actor.send({ type: 'TICK', now: 1_000 });
  if (state === 'finalizing') actor.send({ type: 'CANCEL', reason: 'cancelled', at: 5 });
  expect(actor.getSnapshot().value).toBe(state);
  return JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as unknown;
}

test.each(['replacing', 'spawning', 'running', 'idle', 'finalizing'] as const)(
  'restoring a run persisted in %s runs no effect at all',
  (state) => {
    const snapshot = persistedIn(state);
    const { machine, effects } = provided();
    const restored = createActor(machine, { input: runInput(), snapshot: snapshot as never });
    restored.start();
    expect(restored.getSnapshot().value).toBe(state);
    for (const effect of Object.values(effects)) expect(effect).not.toHaveBeenCalled();
  },
);

test('restored deadlines are absolute and still fire', () => {
  const snapshot = persistedIn('running');
  const { machine } = provided();
  const restored = createActor(machine, { input: runInput(), snapshot: snapshot as never });
  restored.start();
  // Exactly the deadlines of a run spawned at 0, not re-based on the restore.
  expect(restored.getSnapshot().context.deadlines).toEqual({
    timeoutAt: 10_000,
    noOutputAt: 5_000,
    idleAt: 1_000,
  });
  restored.send({ type: 'TICK', now: 10_000 });
  expect(restored.getSnapshot().value).toBe('finalizing');
  expect(restored.getSnapshot().context.endReason).toBe('timeout');
});

test('a restored spawning run is orphaned and resolved, never spawned', () => {
  const snapshot = persistedIn('spawning');
  const { machine, effects } = provided();
  const restored = createActor(machine, { input: runInput(), snapshot: snapshot as never });
  restored.start();
  restored.send({ type: 'ORPHANED', at: 1 });
  restored.send({ type: 'LOST', at: 2 });
  expect(restored.getSnapshot().output?.reason).toBe('lost');
  expect(effects.spawnProcess).not.toHaveBeenCalled();
});
