// The run machine's absolute deadlines driven by the real Watchdog under vitest fake timers.
import { createActor } from 'xstate';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { systemClock } from '../../src/support/clock.js';
import { Watchdog } from '../../src/actors/watchdog.js';
import { nextDeadline } from '../../src/machines/run-deadlines.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { descriptor, fakeIdentity } from '../support/run-fixtures.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function startRun() {
  const effects = {
    finalizePredecessors: vi.fn(),
    spawnProcess: vi.fn(),
    terminateTree: vi.fn(),
    releaseProcess: vi.fn(),
  };
  const actor = createActor(runMachine.provide({ actions: effects }), {
    input: {
      runId: 'r',
      descriptor: descriptor({ timeoutMs: 60_000, noOutputTimeoutMs: 20_000, idleAfterMs: 5_000 }),
      createdAt: Date.now(),
    },
  });
  const watchdog = new Watchdog(systemClock, (now) => {
    actor.send({ type: 'TICK', now });
    rearm();
  });
  const rearm = () => {
    const snapshot = actor.getSnapshot();
    if (snapshot.value === 'running' || snapshot.value === 'idle')
      watchdog.arm(nextDeadline(snapshot.context.deadlines, snapshot.value === 'idle'));
    else watchdog.disarm();
  };
  actor.subscribe(rearm);
  actor.start();
  actor.send({ type: 'PREDECESSORS_DONE' });
  actor.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: Date.now() });
  return { actor, effects };
}

test('idle, then no-output timeout, exactly at their deadlines', () => {
  const { actor, effects } = startRun();
  vi.advanceTimersByTime(4_999);
  expect(actor.getSnapshot().value).toBe('running');
  vi.advanceTimersByTime(1);
  expect(actor.getSnapshot().value).toBe('idle');
  vi.advanceTimersByTime(14_999);
  expect(actor.getSnapshot().value).toBe('idle');
  vi.advanceTimersByTime(1);
  expect(actor.getSnapshot().context.endReason).toBe('no-output-timeout');
  expect(effects.terminateTree).toHaveBeenCalledTimes(1);
});

test('output keeps a run alive until the overall timeout', () => {
  const { actor } = startRun();
  for (let t = 0; t < 59; t++) {
    vi.advanceTimersByTime(1_000);
    actor.send({ type: 'OUTPUT', bytes: 1, at: Date.now() });
  }
  expect(actor.getSnapshot().value).toBe('running');
  vi.advanceTimersByTime(1_000);
  expect(actor.getSnapshot().context.endReason).toBe('timeout');
});
