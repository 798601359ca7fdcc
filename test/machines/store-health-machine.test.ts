// The store health machine: `degraded` while the store is unreachable or any run's latest
// record is not written; back to `ok` (every record rewritten) once both are over.
import { createActor } from 'xstate';
import { describe, expect, test } from 'vitest';
import { spyEffects } from '../support/model-spies.js';

const error = { code: 'E_STORE_WRITE', message: 'down' };

function start() {
  const spies = spyEffects();
  const actor = createActor(spies.storeHealth, { input: { since: 7 } });
  actor.start();
  return { actor, spies };
}

describe('store health', () => {
  test('starts ok and probes the store for its whole life', () => {
    const { actor, spies } = start();
    expect(actor.getSnapshot().value).toBe('ok');
    expect(actor.getSnapshot().context).toEqual({
      lagging: [],
      unreachable: false,
      lastError: null,
      since: 7,
    });
    expect(spies.starts('probeStore')).toHaveLength(1);
    actor.stop();
    expect(spies.stopped.map((s) => s.src)).toEqual(['probeStore']);
  });

  test('a failed write: degraded with the run lagging, until that run writes again', () => {
    const { actor, spies } = start();
    actor.send({ type: 'WRITE_FAILED', runId: 'a', error, at: 10 });
    expect(actor.getSnapshot().value).toBe('degraded');
    expect(actor.getSnapshot().context).toMatchObject({
      lagging: ['a'],
      lastError: error,
      since: 10,
    });
    actor.send({ type: 'WRITE_FAILED', runId: 'a', error, at: 11 });
    actor.send({ type: 'WRITE_FAILED', runId: 'b', error, at: 12 });
    expect(actor.getSnapshot().context.lagging).toEqual(['a', 'b']);
    // The store answers again, but two runs' records are still behind.
    actor.send({ type: 'PROBE_OK', at: 13 });
    actor.send({ type: 'WRITE_LANDED', runId: 'a', at: 14 });
    expect(actor.getSnapshot().value).toBe('degraded');
    expect(spies.actions.rewriteRecords).not.toHaveBeenCalled();
    actor.send({ type: 'WRITE_LANDED', runId: 'b', at: 15 });
    expect(actor.getSnapshot().value).toBe('ok');
    expect(actor.getSnapshot().context).toEqual({
      lagging: [],
      unreachable: false,
      lastError: null,
      since: 15,
    });
    expect(spies.actions.rewriteRecords).toHaveBeenCalledTimes(1);
  });

  test('a failed probe: degraded until a probe or a write answers', () => {
    for (const answer of [
      { type: 'PROBE_OK', at: 30 },
      { type: 'WRITE_LANDED', runId: 'x', at: 30 },
    ] as const) {
      const { actor, spies } = start();
      actor.send({ type: 'PROBE_FAILED', error, at: 20 });
      expect(actor.getSnapshot().value).toBe('degraded');
      actor.send({ type: 'PROBE_FAILED', error, at: 25 });
      expect(actor.getSnapshot().context).toMatchObject({
        unreachable: true,
        lagging: [],
        since: 20,
      });
      actor.send(answer);
      expect(actor.getSnapshot().value).toBe('ok');
      expect(spies.actions.rewriteRecords).toHaveBeenCalledTimes(1);
    }
  });

  test('a refused write-ahead degrades it without a lagging run', () => {
    const { actor } = start();
    actor.send({ type: 'REFUSED', error, at: 40 });
    expect(actor.getSnapshot().value).toBe('degraded');
    actor.send({ type: 'REFUSED', error, at: 41 });
    expect(actor.getSnapshot().context).toMatchObject({
      unreachable: true,
      lagging: [],
      since: 40,
    });
    actor.send({ type: 'PROBE_OK', at: 42 });
    expect(actor.getSnapshot().value).toBe('ok');
  });

  test('while ok, answers change nothing', () => {
    const { actor, spies } = start();
    const before = actor.getSnapshot();
    actor.send({ type: 'PROBE_OK', at: 50 });
    actor.send({ type: 'WRITE_LANDED', runId: 'a', at: 51 });
    expect(actor.getSnapshot().context).toEqual(before.context);
    expect(spies.actions.rewriteRecords).not.toHaveBeenCalled();
  });
});
