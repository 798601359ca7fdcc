// A run actor that fails (an action throws) is removed by its supervisor, with its end
// unknown (`E_MACHINE`); the supervisor and its other runs go on.
import { createActor } from 'xstate';
import { expect, test, vi } from 'vitest';
import type { RunOutput } from '../../src/machines/run-context.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { supervisorMachine, type RunActorRef } from '../../src/machines/supervisor-machine.js';
import { descriptor, fakeIdentity } from '../support/run-fixtures.js';

test('a failing run actor leaves the tree; the supervisor stays active', async () => {
  const run = runMachine.provide({
    actions: {
      releaseProcess: () => {
        throw new Error('boom');
      },
    },
  });
  const sup = createActor(supervisorMachine.provide({ actors: { run } }), {
    input: { createdAt: 0, maxLiveRuns: 10, maxFinalRecords: 10 },
  });
  const ended: RunOutput[] = [];
  sup.on('runEnded', (event) => ended.push(event.output));
  sup.start();
  sup.send({ type: 'BOOT' });
  await vi.waitFor(() => {
    expect(sup.getSnapshot().matches({ open: 'active' })).toBe(true);
  });
  for (const runId of ['a', 'b'])
    sup.send({ type: 'SPAWN', runId, descriptor: descriptor(), createdAt: 0 });
  const a = sup.system.get('a') as RunActorRef | undefined;
  await vi.waitFor(() => {
    expect(a?.getSnapshot().value).toBe('spawning');
  });
  a?.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: 1 });
  a?.send({ type: 'CANCEL', reason: 'cancelled', at: 2 });
  a?.send({ type: 'EXITED', exitCode: null, signal: 'SIGTERM', at: 3 });
  a?.send({ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 4 });

  expect(sup.getSnapshot().status).toBe('active');
  expect(sup.getSnapshot().context.runs.map((run) => run.id)).toEqual(['b']);
  expect(ended).toMatchObject([
    { runId: 'a', outcome: 'done', exit: { reason: 'cancelled', error: { code: 'E_MACHINE' } } },
  ]);
  const b = sup.system.get('b') as RunActorRef | undefined;
  expect(b?.getSnapshot().status).toBe('active');
});
