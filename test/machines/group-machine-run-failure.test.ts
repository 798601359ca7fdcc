// A run actor of a group that fails (an action throws): it leaves its group with its end
// unknown (`E_MACHINE`, passed up to the parent), and a loop waiting on it goes on. The
// model-based test cannot cause it (its run actors do not throw): these take those
// transitions.
import { describe, expect, test } from 'vitest';
import type { RunEndedEvent } from '../../src/machines/run-context.js';
import { groupHarness, type GroupHarness } from '../support/group-spies.js';

const MEMBER = { restart: 'on-failure', restartDelayMs: 100, maxRestartDelayMs: 100 } as const;

/** Group `g` (settings) with real runs `ids` started at 1, in that order. */
async function running(ids: readonly string[], settings = {}) {
  const h = groupHarness({ run: 'real' });
  await h.add('g', settings);
  for (const id of ids) {
    h.spawn('g', id, MEMBER);
    await h.startRun(id, 1);
  }
  return h;
}

/** The next run to enter `held` or `done` throws there (its `releaseProcess` entry action). */
function failNextRelease(h: GroupHarness) {
  h.spies.actions.releaseProcess.mockImplementationOnce(() => {
    throw new Error('boom');
  });
}

/** The runs whose end reached the parent as a machine failure (`E_MACHINE`), in order. */
const machineFailures = (h: GroupHarness) =>
  h.reports.flatMap((event) => {
    if (event.type !== 'RUN_ENDED') return [];
    const { output } = event as unknown as RunEndedEvent;
    return output.exit.error?.code === 'E_MACHINE' ? [output.runId] : [];
  });

describe('a run actor of a group fails', () => {
  test('while its group runs: it leaves the group, its end unknown', async () => {
    const h = await running(['a', 'b']);
    failNextRelease(h);
    h.exitRun('a', 10);
    expect(machineFailures(h)).toEqual(['a']);
    expect(h.context('g').children.map((child) => child.id)).toEqual(['b']);
    expect(h.state('g')).toBe('active');
  });

  test('while a restart waits for it to stop: the next one is stopped', async () => {
    const h = await running(['a', 'b', 'c'], { strategy: 'one-for-all' });
    h.exitRun('a', 10);
    expect(h.context('g').current).toBe('c');
    failNextRelease(h);
    h.exitRun('c', 11, null, 'SIGTERM');
    expect(machineFailures(h)).toEqual(['c']);
    expect(h.context('g').current).toBe('b');
    h.exitRun('b', 12, null, 'SIGTERM');
    expect(h.state('g')).toBe('restarting.waiting');
    h.send('g', { type: 'RESUME_DUE', now: h.timer('g') ?? 0 });
    for (const id of ['a', 'b']) await h.startRun(id, 200);
    expect(h.state('g')).toBe('active');
  });

  test.each([
    ['cancel', 'stopping'],
    ['recycle', 'recycling'],
  ] as const)('while a %s waits for it: the next one is stopped', async (how, state) => {
    const h = await running(['a', 'b']);
    h.send(
      'g',
      how === 'cancel'
        ? { type: 'CANCEL', reason: 'cancelled', at: 5 }
        : { type: 'RECYCLE', at: 5 },
    );
    expect([h.state('g'), h.context('g').current]).toEqual([state, 'b']);
    failNextRelease(h);
    h.exitRun('b', 6, null, 'SIGTERM');
    expect(machineFailures(h)).toEqual(['b']);
    expect(h.context('g').current).toBe('a');
    h.exitRun('a', 7, null, 'SIGTERM');
    expect(h.state('g')).toBe(how === 'cancel' ? 'stopped' : 'held');
  });
});
