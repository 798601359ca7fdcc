// The supervisor machine with spied effects: the root of the actor system, parent of its
// runs. Boot gating, admission, scope replacement, retention, drain and close.
import { createActor } from 'xstate';
import { buildRunExit } from '../../src/machines/run-context.js';
import type { RunActorRef } from '../../src/machines/supervisor-machine.js';
import { describe, expect, test, vi } from 'vitest';
import { pureSupervisor, SUPERVISOR_INPUT, spyEffects } from '../support/model-spies.js';
import { FACTS_FOR, fakeIdentity, storedContext } from '../support/run-fixtures.js';

const spawned = { type: 'SPAWNED', pid: 1, identity: fakeIdentity, at: 0 } as const;
const exited = { type: 'EXITED', exitCode: 0, signal: null, at: 1 } as const;
const treeDead = { type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 2 } as const;

/** Brings a run child to `running`. */
async function start(sup: Awaited<ReturnType<typeof pureSupervisor>>, runId: string) {
  await sup.spies.settle('writeAhead', runId);
  sup.runRef(runId).send(spawned);
}

/** Ends a running run child (its process exits, its tree is dead). */
function finish(ref: RunActorRef) {
  ref.send(exited);
  ref.send(treeDead);
}

describe('lifecycle', () => {
  test('boot opens the store (its health watched) and the boot effect; done, it is active', async () => {
    const spies = spyEffects();
    const actor = createActor(spies.supervisor, { input: SUPERVISOR_INPUT });
    actor.start();
    expect(actor.getSnapshot().value).toBe('idle');
    actor.send({ type: 'BOOT' });
    expect(actor.getSnapshot().value).toEqual({ open: 'booting' });
    expect(spies.started.map((s) => s.src)).toEqual(['probeStore', 'boot']);
    expect(actor.system.get('rw:store-health')).toBeDefined();
    // No run before boot is done: a spawn is answered with a refusal, and no child appears.
    const refusals: unknown[] = [];
    actor.on('spawnRefused', (event) => refusals.push(event));
    actor.send({ type: 'SPAWN', runId: 'x', descriptor: {} as never, createdAt: 0 });
    expect(refusals).toEqual([{ type: 'spawnRefused', runId: 'x', reason: 'not-serving' }]);
    expect(actor.system.get('x')).toBeUndefined();
    await spies.settle('boot', null);
    expect(actor.getSnapshot().value).toEqual({ open: 'active' });
  });

  test('a failed boot releases what it adopted, closes, and stops', async () => {
    const spies = spyEffects();
    const actor = createActor(spies.supervisor, { input: SUPERVISOR_INPUT });
    const failures: unknown[] = [];
    actor.on('bootFailed', (event) => failures.push(event.error));
    actor.start();
    actor.send({ type: 'BOOT' });
    const adopt = { facts: FACTS_FOR.reattach, root: fakeIdentity, at: 5 };
    actor.send({ type: 'ADOPT_RUN', record: storedContext({ runId: 'a' }), ...adopt });
    const orphan = actor.system.get('a') as RunActorRef;
    expect(orphan.getSnapshot().value).toBe('running');
    await spies.settle('boot', null, new Error('lease busy'));
    expect(failures).toEqual([new Error('lease busy')]);
    expect(orphan.getSnapshot().value).toBe('released');
    expect(actor.getSnapshot().value).toBe('closing');
    await spies.settle('close', null);
    expect(actor.getSnapshot().status).toBe('done');
  });

  test('shutdown before boot closes at once; a close that fails still stops', async () => {
    const spies = spyEffects();
    const actor = createActor(spies.supervisor, { input: SUPERVISOR_INPUT });
    actor.start();
    actor.send({ type: 'SHUTDOWN', runs: 'kill', at: 0 });
    expect(actor.getSnapshot().value).toBe('closing');
    expect(spies.starts('probeStore')).toEqual([]);
    await spies.settle('close', null, new Error('store gone'));
    expect(actor.getSnapshot().value).toBe('stopped');
  });

  test('shutdown while booting stops the boot and drains what it adopted', async () => {
    const sup = await pureSupervisor({ boot: false });
    sup.actor.send({ type: 'BOOT' });
    sup.actor.send({
      type: 'ADOPT_RUN',
      record: storedContext({ runId: 'a' }),
      facts: FACTS_FOR.reattach,
      root: fakeIdentity,
      at: 5,
    });
    sup.actor.send({ type: 'SHUTDOWN', runs: 'kill', at: 6 });
    expect(sup.actor.getSnapshot().value).toEqual({ open: 'draining' });
    expect(sup.spies.stopped.map((s) => s.src)).toContain('boot');
    expect(sup.runRef('a').getSnapshot().context.endReason).toBe('shutdown');
    finish(sup.runRef('a'));
    expect(sup.actor.getSnapshot().value).toBe('closing');
  });

  test.each([
    ['kill', 'finalizing', 'shutdown'],
    ['leave', 'released', null],
  ] as const)(
    'shutdown %s: every live run is told, and it closes once none is left',
    async (runs, state, reason) => {
      const sup = await pureSupervisor();
      const [a, b] = [sup.spawn(), sup.spawn()];
      await start(sup, a);
      const [refA, refB] = [sup.runRef(a), sup.runRef(b)];
      sup.actor.send({ type: 'SHUTDOWN', runs, at: 9 });
      expect(sup.actor.getSnapshot().context.shutdownRuns).toBe(runs);
      expect(refA.getSnapshot().value).toBe(state);
      expect(refA.getSnapshot().context.endReason).toBe(reason);
      // Still recording: a cancel ends it at once, a release lets it go.
      expect(refB.getSnapshot().value).toBe(runs === 'kill' ? 'done' : 'released');
      if (runs === 'kill') finish(refA);
      expect(sup.actor.getSnapshot().value).toBe('closing');
      await sup.spies.settle('close', null);
      expect(sup.actor.getSnapshot().value).toBe('stopped');
    },
  );

  test('shutdown with no live run goes straight to closing', async () => {
    const sup = await pureSupervisor();
    sup.actor.send({ type: 'SHUTDOWN', runs: 'leave', at: 1 });
    expect(sup.actor.getSnapshot().value).toBe('closing');
  });
});

describe('runs as children', () => {
  test('spawns each run as a child found by its id, up to maxLiveRuns; past it, refuses', async () => {
    const sup = await pureSupervisor();
    const refused: string[] = [];
    sup.actor.on('spawnRefused', (event) => refused.push(event.runId));
    const ids = [sup.spawn(), sup.spawn(), sup.spawn(), sup.spawn()];
    expect(sup.actor.getSnapshot().context.runs.map((run) => run.id)).toEqual(ids.slice(0, 3));
    expect(refused).toEqual([ids[3]]);
    expect(sup.actor.system.get(ids[3] ?? '')).toBeUndefined();
    expect(sup.runRef(ids[0] ?? '')._parent).toBe(sup.actor);
  });

  test('a run that ends is removed, its end emitted, its record counted for retention', async () => {
    const sup = await pureSupervisor({ retain: ['old'] });
    const ended: string[] = [];
    const expired: string[][] = [];
    sup.actor.on('runEnded', (event) =>
      ended.push(`${event.output.runId}:${event.output.outcome}`),
    );
    sup.actor.on('recordsExpired', (event) => expired.push([...event.runIds]));
    const [b, c] = [sup.spawn(), sup.spawn()];
    await start(sup, b);
    finish(sup.runRef(b));
    expect(expired).toEqual([]);
    await start(sup, c);
    finish(sup.runRef(c));
    expect(ended).toEqual([`${b}:done`, `${c}:done`]);
    expect(sup.actor.getSnapshot().context).toMatchObject({ runs: [], finalRecords: [b, c] });
    expect(expired).toEqual([['old']]);
    expect(sup.actor.system.get(b)).toBeUndefined();
  });

  test('a refused or released run counts for no retention', async () => {
    const sup = await pureSupervisor({ retain: ['old1', 'old2'] });
    const ended: string[] = [];
    sup.actor.on('runEnded', (event) =>
      ended.push(`${event.output.runId}:${event.output.outcome}`),
    );
    const [a, b] = [sup.spawn(), sup.spawn()];
    sup.runRef(b).send({ type: 'RELEASE', at: 1 });
    await sup.spies.settle('writeAhead', a, new Error('store down'));
    expect(ended).toEqual([`${b}:released`, `${a}:refused`]);
    expect(sup.actor.getSnapshot().context).toMatchObject({
      runs: [],
      finalRecords: ['old1', 'old2'],
    });
  });

  test('the RUN_ENDED of a run that is no child changes nothing', async () => {
    const sup = await pureSupervisor();
    const before = sup.actor.getSnapshot();
    const exit = buildRunExit(storedContext({ runId: 'stranger' }));
    sup.actor.send({ type: 'RUN_ENDED', output: { runId: 'stranger', outcome: 'done', exit } });
    expect(sup.actor.getSnapshot().context).toEqual(before.context);
  });

  test('an adopted record is a child decided by its facts', async () => {
    const sup = await pureSupervisor({ boot: false });
    sup.actor.send({ type: 'BOOT' });
    for (const [runId, facts] of Object.entries(FACTS_FOR))
      sup.actor.send({
        type: 'ADOPT_RUN',
        record: storedContext({ runId }),
        facts,
        root: fakeIdentity,
        at: 5,
      });
    expect(sup.runRef('reattach').getSnapshot().value).toBe('running');
    expect(sup.runRef('kill').getSnapshot().value).toBe('finalizing');
    expect(sup.runRef('uncertain').getSnapshot().value).toBe('orphaned');
    expect(sup.actor.system.get('lost')).toBeUndefined();
    expect(sup.actor.getSnapshot().context.runs.map((run) => run.id)).toEqual([
      'reattach',
      'kill',
      'uncertain',
    ]);
  });
});

describe('scope replacement', () => {
  const scoped = { scopeKey: 's', replaceExistingScope: true };

  test('a replacer cancels the live runs of its scope created before it, and waits for them', async () => {
    const sup = await pureSupervisor({ input: { maxLiveRuns: 4 } });
    const replaced: string[] = [];
    sup.actor.on('runReplaced', (event) => replaced.push(`${event.runId}>${event.by}`));
    const [a, other, b] = [
      sup.spawn({ scopeKey: 's' }),
      sup.spawn({ scopeKey: 't' }),
      sup.spawn({ scopeKey: 's' }),
    ];
    for (const id of [a, other, b]) await start(sup, id);
    const r = sup.spawn(scoped);
    await sup.spies.settle('writeAhead', r);
    expect(replaced).toEqual([`${a}>${r}`, `${b}>${r}`]);
    expect(sup.actor.getSnapshot().context.waiting).toEqual({ [r]: [a, b] });
    expect(sup.runRef(other).getSnapshot().value).toBe('running');
    finish(sup.runRef(a));
    expect(sup.runRef(r).getSnapshot().value).toBe('replacing');
    finish(sup.runRef(b));
    expect(sup.runRef(r).getSnapshot().value).toBe('spawning');
    expect(sup.actor.getSnapshot().context.waiting).toEqual({});
  });

  test('a replacer cancelled while it waits is forgotten, and finalizes no one else', async () => {
    const sup = await pureSupervisor();
    const a = sup.spawn({ scopeKey: 's' });
    await start(sup, a);
    const r = sup.spawn(scoped);
    await sup.spies.settle('writeAhead', r);
    sup.runRef(r).send({ type: 'CANCEL', reason: 'cancelled', at: 3 });
    expect(sup.actor.getSnapshot().context.waiting).toEqual({});
    const late = sup.spawn({ scopeKey: 's' });
    await start(sup, late);
    finish(sup.runRef(a));
    expect(sup.runRef(late).getSnapshot().value).toBe('running');
  });
});

// On a `leave` shutdown a replacer waiting for its predecessor is released first; when the
// predecessor's end is handled, the (final) replacer is not told PREDECESSORS_DONE.
test('a leave shutdown sends nothing to a replacer that already left', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    const sup = await pureSupervisor();
    const old = sup.spawn({ scopeKey: 's' });
    await start(sup, old);
    const replacer = sup.spawn({ scopeKey: 's', replaceExistingScope: true });
    await sup.spies.settle('writeAhead', replacer);
    expect(sup.runRef(replacer).getSnapshot().value).toBe('replacing');
    sup.actor.send({ type: 'SHUTDOWN', runs: 'leave', at: 1 });
    expect(sup.actor.getSnapshot().value).toBe('closing');
    expect(warn).not.toHaveBeenCalled();
  } finally {
    warn.mockRestore();
  }
});
