import { createActor } from 'xstate';
import { expect, test, vi } from 'vitest';
import { supervisorMachine } from '../../src/machines/supervisor-machine.js';

function start() {
  const drainRuns = vi.fn();
  const actor = createActor(supervisorMachine.provide({ actions: { drainRuns } }));
  actor.start();
  return { actor, drainRuns };
}

test('boots, holds runs, drains on shutdown, and stops once every run is removed', () => {
  const { actor, drainRuns } = start();
  expect(actor.getSnapshot().value).toBe('booting');
  actor.send({ type: 'RUN_ADDED', runId: 'restored' });
  actor.send({ type: 'BOOTED' });
  actor.send({ type: 'RUN_ADDED', runId: 'new' });
  expect(actor.getSnapshot().context.liveRunIds).toEqual(['restored', 'new']);
  actor.send({ type: 'SHUTDOWN', runs: 'kill' });
  expect(actor.getSnapshot().value).toBe('draining');
  expect(drainRuns).toHaveBeenCalledTimes(1);
  expect(actor.getSnapshot().context.shutdownRuns).toBe('kill');
  actor.send({ type: 'RUN_ADDED', runId: 'late' });
  expect(actor.getSnapshot().context.liveRunIds).toEqual(['restored', 'new']);
  actor.send({ type: 'RUN_REMOVED', runId: 'new' });
  expect(actor.getSnapshot().value).toBe('draining');
  actor.send({ type: 'RUN_REMOVED', runId: 'restored' });
  expect(actor.getSnapshot().value).toBe('stopped');
  expect(actor.getSnapshot().status).toBe('done');
});

test('shutting down with no live run stops at once', () => {
  const { actor } = start();
  actor.send({ type: 'BOOTED' });
  actor.send({ type: 'SHUTDOWN', runs: 'leave' });
  expect(actor.getSnapshot().value).toBe('stopped');
});

test('a failed boot stops without draining', () => {
  const { actor, drainRuns } = start();
  actor.send({ type: 'BOOT_FAILED' });
  expect(actor.getSnapshot().value).toBe('stopped');
  expect(drainRuns).not.toHaveBeenCalled();
});
