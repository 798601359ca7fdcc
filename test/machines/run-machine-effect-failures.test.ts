// An effect that throws (instead of reporting its failure as an event) must not leave a run
// stuck or take its supervisor down: the run ends, and its exit says what failed.
import { createActor, fromCallback } from 'xstate';
import { expect, test, vi } from 'vitest';
import type { RunEffectInput } from '../../src/machines/run-effects.js';
import type { RunEvent } from '../../src/machines/run-events.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { fakeIdentity, runInput } from '../support/run-fixtures.js';

const failing = fromCallback<RunEvent, RunEffectInput>(() => {
  throw new Error('boom');
});

test('a launch that throws ends the run as a spawn error (E_LAUNCH)', async () => {
  const actor = createActor(runMachine.provide({ actors: { launch: failing } }), {
    input: runInput(),
  });
  actor.start();
  await vi.waitFor(() => {
    expect(actor.getSnapshot().value).toBe('done');
  });
  expect(actor.getSnapshot().context.exit).toMatchObject({
    reason: 'spawn-error',
    error: { code: 'E_LAUNCH', message: 'boom' },
  });
});

test('a termination that throws ends the run, its exit naming E_TERMINATE', async () => {
  const actor = createActor(runMachine.provide({ actors: { terminate: failing } }), {
    input: runInput(),
  });
  actor.start();
  await vi.waitFor(() => {
    expect(actor.getSnapshot().value).toBe('spawning');
  });
  actor.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: 1 });
  actor.send({ type: 'CANCEL', reason: 'cancelled', at: 2 });
  expect(actor.getSnapshot().value).toBe('done');
  expect(actor.getSnapshot().context.exit).toMatchObject({
    reason: 'cancelled',
    exitCode: null,
    error: { code: 'E_TERMINATE', message: 'boom' },
  });
});
