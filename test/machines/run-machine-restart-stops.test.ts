// Restart policies on the run machine alone: what keeps a run from restarting (a cancel
// while it finalizes), and the generations that fail before they have a process (a refused
// write-ahead, a failed launch), every effect a spy.
import { createActor } from 'xstate';
import { describe, expect, test } from 'vitest';
import { runOutputOf, type RunContext } from '../../src/machines/run-context.js';
import { restartsAfterAdoption } from '../../src/machines/run-restarts.js';
import { spyEffects } from '../support/model-spies.js';
import {
  descriptor as descriptorOf,
  FACTS_FOR,
  fakeIdentity,
  runInput,
  storedContext,
} from '../support/run-fixtures.js';
import type { RunDescriptor } from '../../src/types.js';

const ID = 'run-test';
const ON_FAILURE = { restart: 'on-failure', restartDelayMs: 100, maxRestartDelayMs: 1000 } as const;

/** A run spawned at 0 (its record durable), every effect a spy; no parent to ask. */
async function spawned(overrides: Partial<RunDescriptor>) {
  const spies = spyEffects();
  const machine = spies.run.provide({ actions: { requestReplacement: () => undefined } });
  const actor = createActor(machine, { input: runInput(overrides) });
  actor.start();
  await spies.settle('writeAhead', ID);
  if (actor.getSnapshot().value === 'replacing') actor.send({ type: 'PREDECESSORS_DONE' });
  actor.send({ type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: 0 });
  return { actor, spies };
}

type Run = Awaited<ReturnType<typeof spawned>>;

function exits(run: Run, at: number, exitCode: number | null) {
  run.actor.send({ type: 'EXITED', exitCode, signal: null, at });
  run.actor.send({ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at });
}

const context = (run: Run): RunContext => run.actor.getSnapshot().context;

describe('stops and early failures', () => {
  test('a cancel while finalizing keeps the first reason and keeps the run from restarting', async () => {
    for (const reason of ['cancelled', 'shutdown', 'replaced'] as const) {
      const run = await spawned({ ...ON_FAILURE, restart: 'always' });
      run.actor.send({ type: 'EXITED', exitCode: 1, signal: null, at: 10 });
      expect(run.actor.getSnapshot().value).toBe('finalizing');
      run.actor.send({ type: 'CANCEL', reason, at: 11 });
      run.actor.send({ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 12 });
      expect(runOutputOf(run.actor.getSnapshot())?.exit).toMatchObject({
        reason: 'exit',
        exitCode: 1,
        restarts: 0,
      });
    }
  });

  test("a later generation's refused write-ahead ends that generation, not the run's record", async () => {
    const run = await spawned({ ...ON_FAILURE, maxRestarts: 2 });
    exits(run, 10, 1);
    const due = context(run).nextStartAt ?? 0;
    run.actor.send({ type: 'RESTART_DUE', now: due });
    await run.spies.settle('writeAhead', ID, new Error('store down'));
    // Not `refused` (that is a run that never existed): a generation that failed to start.
    expect(run.actor.getSnapshot().value).toBe('backoff');
    expect(context(run)).toMatchObject({ generation: 2, generationEnd: 'spawn-error' });
    // Its time counts from when that generation began, not from the run's creation.
    expect(context(run).nextStartAt).toBeGreaterThanOrEqual(due + 160);
  });

  test("a later generation's failed launch waits from when it began", async () => {
    const run = await spawned(ON_FAILURE);
    exits(run, 10, 1);
    const due = context(run).nextStartAt ?? 0;
    run.actor.send({ type: 'RESTART_DUE', now: due });
    await run.spies.settle('writeAhead', ID);
    run.actor.send({
      type: 'SPAWN_FAILED',
      error: { code: 'ENOENT', message: 'gone' },
      at: due + 5,
    });
    expect(context(run).nextStartAt).toBeGreaterThanOrEqual(due + 5 + 160);
  });

  test('only the first generation replaces its scope', async () => {
    const run = await spawned({ ...ON_FAILURE, scopeKey: 'slot', replaceExistingScope: true });
    expect(run.spies.starts('launch', ID)).toHaveLength(1);
    exits(run, 10, 1);
    run.actor.send({ type: 'RESTART_DUE', now: context(run).nextStartAt ?? 0 });
    await run.spies.settle('writeAhead', ID);
    expect(run.actor.getSnapshot().value).toBe('spawning');
  });
});

describe("a dry run's restart guess is the machine's decision", () => {
  const cases: Array<[string, Partial<RunContext>, 'kill' | 'lost']> = [
    ['always, killed', { descriptor: descriptorOf({ restart: 'always' }) }, 'kill'],
    ['always, lost', { descriptor: descriptorOf({ restart: 'always' }) }, 'lost'],
    ['on-failure, killed', { descriptor: descriptorOf({ restart: 'on-failure' }) }, 'kill'],
    [
      'on-failure, timed out while finalizing, killed',
      { descriptor: descriptorOf({ restart: 'on-failure' }), endReason: 'timeout' },
      'kill',
    ],
    [
      'always, cancelled, killed',
      {
        descriptor: descriptorOf({ restart: 'always' }),
        endReason: 'cancelled',
        stopReason: 'cancelled',
      },
      'kill',
    ],
    [
      'always, intensity spent, lost',
      { descriptor: descriptorOf({ restart: 'always', maxRestarts: 1 }), restartedAt: [90] },
      'lost',
    ],
  ];
  test.each(cases)('%s', (_, overrides, decision) => {
    const record = storedContext(overrides);
    const spies = spyEffects();
    const actor = createActor(spies.run, { input: { record } });
    actor.start();
    const facts = decision === 'kill' ? FACTS_FOR.kill : FACTS_FOR.lost;
    actor.send({ type: 'ADOPT', facts, root: fakeIdentity, at: 100 });
    if (decision === 'kill') exits({ actor, spies }, 100, null);
    const waits = actor.getSnapshot().value === 'backoff';
    expect(restartsAfterAdoption(record, decision, 100)).toBe(waits);
  });
});
