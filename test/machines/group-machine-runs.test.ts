// The run/group protocol with the real run machine (every effect a spy): a run of a group
// waits in `held` for its group instead of restarting by itself, is stopped by RECYCLE in
// any state, starts its next generation on RESUME, ends with `restart-limit` on GIVE_UP,
// and says when its process exists (CHILD_STARTED).
import { describe, expect, test } from 'vitest';
import { groupHarness, type GroupHarness } from '../support/group-spies.js';
import { descriptor, FACTS_FOR, fakeIdentity, storedContext } from '../support/run-fixtures.js';

const MEMBER = { restart: 'on-failure', restartDelayMs: 100, maxRestartDelayMs: 100 } as const;

/** Group `g` (settings) with real runs `ids` started at 1, in that order. */
async function running(ids: readonly string[], settings = {}, member = {}) {
  const h = groupHarness({ run: 'real' });
  await h.add('g', settings);
  for (const id of ids) {
    h.spawn('g', id, { ...MEMBER, ...member });
    await h.startRun(id, 1);
  }
  return h;
}

const terminated = (h: GroupHarness) => h.spies.starts('terminate').map((start) => start.runId);
const states = (h: GroupHarness, ids: readonly string[]) => ids.map((id) => h.runState(id));

describe('a run of a group', () => {
  test('it is admitted, says when its process exists, and waits for its group once it failed', async () => {
    const h = await running(['a']);
    expect(h.reported()).toEqual(['SPAWN_ADMITTED a']);
    h.exitRun('a', 10);
    expect(h.runState('a')).toBe('held');
    // Its own restart timer is never armed: the group decides when.
    expect(h.spies.starts('restartTimer')).toEqual([]);
    // Held until its own restart delay passed (100 ms, less its jitter of up to 20%).
    const at = h.context('g').held[0]?.at ?? 0;
    expect(at).toBeGreaterThanOrEqual(90);
    expect(at).toBeLessThanOrEqual(110);
    h.send('g', { type: 'RESUME_DUE', now: at });
    expect(h.runState('a')).toBe('recording');
    await h.startRun('a', at);
    expect(h.runContext('a')).toMatchObject({ generation: 2, restarts: 1 });
  });

  // Its report is sent before the transition clears the generation's end.
  test('its failure is counted at the time its generation ended', async () => {
    const h = await running(['a']);
    h.exitRun('a', 10);
    expect(h.context('g').restartedAt).toEqual([10]);
  });

  test('a run its policy does not restart ends, and leaves its group', async () => {
    const h = await running(['a', 'b']);
    h.exitRun('a', 10, 0);
    expect(h.context('g').children.map((child) => child.id)).toEqual(['b']);
    expect(h.reports.at(-1)).toMatchObject({ type: 'RUN_ENDED', output: { runId: 'a' } });
  });

  test('its own maxRestarts does not limit it: its group intensity alone does, as in OTP', async () => {
    const h = await running(['a'], { maxRestarts: 1 }, { maxRestarts: 0 });
    h.exitRun('a', 10);
    expect(h.runState('a')).toBe('held');
    expect(h.context('g').restarts).toBe(1);
    h.send('g', { type: 'RESUME_DUE', now: h.timer('g') ?? 0 });
    await h.startRun('a', 200);
    h.exitRun('a', 210);
    // The group's second restart within its window is past its intensity: the group fails.
    expect(h.state('g')).toBe('failed');
    h.send('g', { type: 'GIVE_UP', at: 211 });
    expect(h.runEnds()).toEqual([['a', 'restart-limit']]);
  });
});

describe('RECYCLE: stopped to start again, in whatever state it is', () => {
  test('before its process exists it is held at once, and reports it', async () => {
    const h = groupHarness({ run: 'real' });
    await h.add('g', { strategy: 'one-for-all' });
    h.spawn('g', 'a', MEMBER);
    h.spawn('g', 'b', MEMBER);
    await h.startRun('a', 1);
    h.exitRun('a', 5);
    // b's write-ahead is still pending: it is recycled without a process.
    expect(h.runState('b')).toBe('held');
    expect(h.state('g')).toBe('restarting.waiting');
    expect(h.runContext('b').recycling).toBe(true);
  });

  test('while it spawns, the launch finishes first; then it is stopped and held', async () => {
    const h = await running(['a'], { strategy: 'one-for-all' });
    h.spawn('g', 'b', MEMBER);
    await h.spies.settle('writeAhead', 'b');
    expect(h.runState('b')).toBe('spawning');
    h.exitRun('a', 5);
    expect(h.runState('b')).toBe('spawning');
    h.ref('b').send({ type: 'SPAWNED', pid: 1, identity: null, at: 6 });
    expect(h.runState('b')).toBe('finalizing');
    h.exitRun('b', 7, null, 'SIGTERM');
    expect(h.runState('b')).toBe('held');
    expect(h.state('g')).toBe('restarting.waiting');
  });

  test('a run whose policy is `never` ends when recycled, and is not started again', async () => {
    const h = await running(['a'], { strategy: 'one-for-all' }, { restart: 'never' });
    h.spawn('g', 'b', MEMBER);
    await h.startRun('b', 1);
    h.exitRun('b', 5);
    h.exitRun('a', 6, null, 'SIGTERM');
    expect(h.reports.at(-1)).toMatchObject({ type: 'RUN_ENDED', output: { runId: 'a' } });
    expect(h.context('g').children.map((child) => child.id)).toEqual(['b']);
  });

  test('a `never` run recycled before its process exists ends (shutdown), not held', async () => {
    const h = await running(['a'], { strategy: 'one-for-all' });
    h.spawn('g', 'b', { ...MEMBER, restart: 'never' });
    // b's write-ahead is still pending when a fails.
    h.exitRun('a', 5);
    expect(h.runEnds()).toEqual([['b', 'shutdown']]);
    expect(h.context('g').children.map((child) => child.id)).toEqual(['a']);
    expect(h.state('g')).toBe('restarting.waiting');
  });

  // Its identity could not be read at boot: nothing would prove its tree dead before a new
  // generation, so a recycle stops it (`shutdown`) instead of restarting it.
  test('an orphan not yet decided is stopped, not restarted', async () => {
    const h = groupHarness({ run: 'real' });
    await h.add('g');
    const record = storedContext({ runId: 'o', descriptor: descriptor({ group: 'g', ...MEMBER }) });
    const facts = FACTS_FOR.uncertain;
    h.send('g', { type: 'ADOPT_RUN', path: 'g', record, facts, root: fakeIdentity, at: 2 });
    expect(h.runState('o')).toBe('orphaned');
    h.send('g', { type: 'RECYCLE', at: 3 });
    expect(h.runState('o')).toBe('finalizing');
    expect(h.runContext('o').stopReason).toBe('shutdown');
    h.exitRun('o', 4, null, 'SIGTERM');
    expect(h.runEnds()).toEqual([['o', 'shutdown']]);
    expect(h.state('g')).toBe('held');
  });
});

describe('one-for-all with real runs: one tree at a time', () => {
  test('each run is terminated once the one after it is held; each starts once the one before runs', async () => {
    const ids = ['a', 'b', 'c'];
    const h = await running(ids, { strategy: 'one-for-all' });
    h.exitRun('a', 10);
    expect(terminated(h)).toEqual(['a', 'c']);
    h.exitRun('c', 11, null, 'SIGTERM');
    expect(terminated(h)).toEqual(['a', 'c', 'b']);
    h.exitRun('b', 12, null, 'SIGTERM');
    expect(states(h, ids)).toEqual(['held', 'held', 'held']);
    const at = h.timer('g') ?? 0;
    h.send('g', { type: 'RESUME_DUE', now: at });
    expect(states(h, ids)).toEqual(['recording', 'held', 'held']);
    await h.startRun('a', at);
    expect(states(h, ids)).toEqual(['running', 'recording', 'held']);
    await h.startRun('b', at);
    await h.startRun('c', at);
    expect(states(h, ids)).toEqual(['running', 'running', 'running']);
    expect(h.state('g')).toBe('active');
    expect(ids.map((id) => h.runContext(id).generation)).toEqual([2, 2, 2]);
  });
});

describe('escalation with real runs', () => {
  test('a root group past its intensity: the root gives up and each held run ends with `restart-limit`', async () => {
    const h = await running(['a', 'b'], { strategy: 'one-for-one', maxRestarts: 0 });
    h.exitRun('a', 10);
    expect(h.state('g')).toBe('failing');
    h.exitRun('b', 11, null, 'SIGTERM');
    expect(h.state('g')).toBe('failed');
    expect(h.reports.at(-1)).toMatchObject({ type: 'CHILD_HELD', id: 'g', cause: 'failed' });
    h.send('g', { type: 'GIVE_UP', at: 12 });
    expect(h.state('g')).toBe('stopped');
    expect(h.runEnds()).toEqual([
      ['b', 'restart-limit'],
      ['a', 'restart-limit'],
    ]);
  });

  test('a failed nested group is started again by its one-for-one parent: its runs run again', async () => {
    const h = groupHarness({ run: 'real' });
    await h.add('g');
    await h.add('g/n', { maxRestarts: 0 });
    for (const id of ['x', 'y']) {
      h.spawn('g/n', id, MEMBER);
      await h.startRun(id, 1);
    }
    h.exitRun('y', 10);
    h.exitRun('x', 11, null, 'SIGTERM');
    expect(h.state('g/n')).toBe('failed');
    expect(h.context('g')).toMatchObject({ restarts: 1, held: [{ id: 'g/n' }] });
    h.send('g', { type: 'RESUME_DUE', now: h.timer('g') ?? 0 });
    await h.startRun('x', 20);
    await h.startRun('y', 20);
    expect(states(h, ['x', 'y'])).toEqual(['running', 'running']);
    expect([h.state('g/n'), h.state('g')]).toEqual(['active', 'active']);
  });
});

describe('a failure while a restart is under way', () => {
  // The second plan leaves the runs that wait (the first failed one, the one failing now)
  // alone: only c, still running, is stopped, and all three start again together.
  test('one-for-all: a second failure is taken into the restart, and all start again', async () => {
    const ids = ['a', 'b', 'c'];
    const h = await running(ids, { strategy: 'one-for-all' });
    h.exitRun('a', 10);
    h.exitRun('b', 11);
    h.exitRun('c', 12, null, 'SIGTERM');
    expect(h.context('g').restarts).toBe(2);
    expect(h.state('g')).toBe('restarting.waiting');
    // c was asked to stop (RECYCLE) before b ended by itself.
    expect(terminated(h)).toEqual(['a', 'c', 'b']);
    h.send('g', { type: 'RESUME_DUE', now: h.timer('g') ?? 0 });
    for (const id of ids) await h.startRun(id, 300);
    expect(states(h, ids)).toEqual(['running', 'running', 'running']);
    expect(h.state('g')).toBe('active');
  });

  // `failing` passes over the runs that wait: the group reaches `failed`, its parent is told.
  test('one-for-all: a failure past the intensity during a restart fails the group', async () => {
    const h = await running(['a', 'b', 'c'], { strategy: 'one-for-all', maxRestarts: 1 });
    h.exitRun('a', 10);
    h.exitRun('b', 11);
    h.exitRun('c', 12, null, 'SIGTERM');
    expect(h.state('g')).toBe('failed');
    expect(h.reports.at(-1)).toMatchObject({ type: 'CHILD_HELD', id: 'g', cause: 'failed' });
  });

  // A cancel while the restart starts its runs again: the stop loop takes the CHILD_STARTED
  // of the run being started, then cancels every run in its turn.
  test('a cancel while the runs start again ends every run', async () => {
    const ids = ['a', 'b'];
    const h = await running(ids, { strategy: 'one-for-all' });
    h.exitRun('a', 10);
    h.exitRun('b', 11, null, 'SIGTERM');
    h.send('g', { type: 'RESUME_DUE', now: h.timer('g') ?? 0 });
    h.send('g', { type: 'CANCEL', reason: 'cancelled', at: 200 });
    await h.startRun('a', 201);
    // b (held) is cancelled first, then a, now running.
    expect(h.runState('a')).toBe('finalizing');
    h.exitRun('a', 202, null, 'SIGTERM');
    expect(h.state('g')).toBe('stopped');
    expect(h.runEnds()).toEqual([
      ['b', 'cancelled'],
      ['a', 'cancelled'],
    ]);
  });
});
