// The run machine's absolute deadlines driven by the real watchdog effect under vitest fake
// timers: an effect of `running` and `idle`, re-armed when an early TICK re-enters them.
import { createActor, fromCallback } from 'xstate';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { systemClock } from '../../src/support/clock.js';
import { watchdogEffect } from '../../src/effects/watchdog-effect.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { descriptor, fakeIdentity } from '../support/run-fixtures.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

async function startRun() {
  const terminate = vi.fn();
  const machine = runMachine.provide({
    actors: {
      watchdog: watchdogEffect({ clock: systemClock, runtime: () => undefined }),
      terminate: fromCallback(() => {
        terminate();
      }),
    },
  });
  const actor = createActor(machine, {
    input: {
      runId: 'r',
      descriptor: descriptor({ timeoutMs: 60_000, noOutputTimeoutMs: 20_000, idleAfterMs: 5_000 }),
      createdAt: Date.now(),
    },
  });
  actor.start();
  // The placeholder write-ahead resolves at once: `spawning` follows on the next microtask.
  await vi.waitFor(() => {
    expect(actor.getSnapshot().value).toBe('spawning');
  });
  actor.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: Date.now() });
  return { actor, terminate };
}

test('idle, then no-output timeout, exactly at their deadlines', async () => {
  const { actor, terminate } = await startRun();
  vi.advanceTimersByTime(4_999);
  expect(actor.getSnapshot().value).toBe('running');
  vi.advanceTimersByTime(1);
  expect(actor.getSnapshot().value).toBe('idle');
  vi.advanceTimersByTime(14_999);
  expect(actor.getSnapshot().value).toBe('idle');
  vi.advanceTimersByTime(1);
  expect(actor.getSnapshot().context.endReason).toBe('no-output-timeout');
  expect(terminate).toHaveBeenCalledTimes(1);
});

test('output keeps a run alive until the overall timeout', async () => {
  const { actor } = await startRun();
  for (let t = 0; t < 59; t++) {
    vi.advanceTimersByTime(1_000);
    actor.send({ type: 'OUTPUT', bytes: 1, at: Date.now() });
  }
  expect(actor.getSnapshot().value).toBe('running');
  vi.advanceTimersByTime(1_000);
  expect(actor.getSnapshot().context.endReason).toBe('timeout');
});

test('leaving `running` disarms its watchdog: a cancelled run gets no TICK', async () => {
  const { actor } = await startRun();
  actor.send({ type: 'CANCEL', reason: 'cancelled', at: Date.now() });
  expect(actor.getSnapshot().value).toBe('finalizing');
  expect(vi.getTimerCount()).toBe(0);
});
