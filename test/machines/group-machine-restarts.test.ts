// Restarts of the group machine with fake runs: which children a one-for-all or
// rest-for-one restart stops and starts again, strictly one at a time (last started first to
// stop, first started first to start), the intensity, and the parent's answers once the
// group failed (RESUME: start all again with a fresh history; GIVE_UP: end them for good).
import { describe, expect, test } from 'vitest';
import type { GroupStrategy } from '../../src/types.js';
import { ended, groupHarness, held, type GroupHarness } from '../support/group-spies.js';

const IDS = ['a', 'b', 'c', 'd'] as const;

/** Group `g` (strategy, intensity) with fake runs a, b, c, d, started in that order. */
async function four(strategy: GroupStrategy, maxRestarts = 5, restartWindowMs = 60_000) {
  const h = groupHarness();
  await h.add('g', { strategy, maxRestarts, restartWindowMs });
  for (const id of IDS) h.spawn('g', id);
  return h;
}

/** What the runs received so far, as `id:TYPE`, in the order it came. */
const received = (h: GroupHarness) => h.fake.log();

/** Lets the stop loop go on: the current child reports it is held (stopped). */
function stopped(h: GroupHarness, id: string, at = 0) {
  h.report(id, held(id, 'stopped', at));
}

describe('one-for-all and rest-for-one: one child at a time', () => {
  test('one-for-all: the others stop last started first, each once the one before is held', async () => {
    const h = await four('one-for-all');
    h.report('b', held('b', 'failed', 25, 20));
    expect(h.state('g')).toBe('restarting.stopping');
    expect(h.context('g')).toMatchObject({ restarts: 1, current: 'd' });
    expect(received(h)).toEqual(['d:RECYCLE']);
    // Reports of another child do not move the loop on.
    h.report('a', { type: 'CHILD_STARTED', id: 'a' });
    expect(received(h)).toEqual(['d:RECYCLE']);
    stopped(h, 'd');
    expect(received(h)).toEqual(['d:RECYCLE', 'c:RECYCLE']);
    stopped(h, 'c');
    expect(received(h)).toEqual(['d:RECYCLE', 'c:RECYCLE', 'a:RECYCLE']);
    stopped(h, 'a');
    // Every affected child stopped: the restart waits for the failed one's time.
    expect(h.state('g')).toBe('restarting.waiting');
    expect(h.timer('g')).toBe(25);
    h.send('g', { type: 'RESUME_DUE', now: 24 });
    expect(h.state('g')).toBe('restarting.waiting');
    expect(h.timer('g')).toBe(25);
    h.fake.clear();
    h.send('g', { type: 'RESUME_DUE', now: 25 });
    expect(h.state('g')).toBe('restarting.resuming');
    // Started again in start order, each once the one before has started.
    for (const id of IDS) {
      expect(received(h).at(-1)).toBe(`${id}:RESUME`);
      h.report(id, { type: 'CHILD_STARTED', id });
    }
    expect(received(h)).toEqual(IDS.map((id) => `${id}:RESUME`));
    expect(h.fake.events('c')).toEqual([{ type: 'RESUME', now: 25 }]);
    expect(h.state('g')).toBe('active');
    expect(h.context('g')).toMatchObject({ held: [], toStop: [], toResume: [], resumeAt: null });
  });

  test('a child that says it waits already (held) is not stopped again, and starts with the others', async () => {
    const h = await four('one-for-all');
    h.report('b', held('b', 'failed', 25, 20));
    // a stopped by itself meanwhile: it waits for its group, known from its own report.
    h.report('a', held('a', 'stopped', 25));
    expect(h.context('g').waiting).toEqual(['b', 'a']);
    stopped(h, 'd');
    stopped(h, 'c');
    expect(received(h)).toEqual(['d:RECYCLE', 'c:RECYCLE']);
    expect(h.state('g')).toBe('restarting.waiting');
    h.send('g', { type: 'RESUME_DUE', now: 25 });
    for (const id of IDS) h.report(id, { type: 'CHILD_STARTED', id });
    expect(received(h).slice(2)).toEqual(IDS.map((id) => `${id}:RESUME`));
    expect(h.context('g').waiting).toEqual([]);
  });

  test('rest-for-one: only those started after the failed one stop; all of them start again', async () => {
    const h = await four('rest-for-one');
    h.report('b', held('b', 'failed', 5, 5));
    stopped(h, 'd');
    stopped(h, 'c');
    expect(received(h)).toEqual(['d:RECYCLE', 'c:RECYCLE']);
    h.send('g', { type: 'RESUME_DUE', now: 5 });
    for (const id of ['b', 'c', 'd']) h.report(id, { type: 'CHILD_STARTED', id });
    expect(received(h)).toEqual(['d:RECYCLE', 'c:RECYCLE', 'b:RESUME', 'c:RESUME', 'd:RESUME']);
    expect(h.fake.received('a')).toEqual([]);
    expect(h.state('g')).toBe('active');
  });

  test('rest-for-one of the last started child restarts it alone, at its time', async () => {
    const h = await four('rest-for-one');
    h.report('d', held('d', 'failed', 9, 9));
    expect(h.state('g')).toBe('restarting.waiting');
    h.send('g', { type: 'RESUME_DUE', now: 9 });
    h.report('d', { type: 'CHILD_STARTED', id: 'd' });
    expect(received(h)).toEqual(['d:RESUME']);
    expect(h.state('g')).toBe('active');
  });

  test('a child that ends for good instead of stopping leaves the loop, and is not started again', async () => {
    const h = await four('one-for-all');
    h.report('a', held('a', 'failed', 1, 1));
    h.report('d', ended('d', 'shutdown'));
    expect(h.context('g').children.map((child) => child.id)).toEqual(['a', 'b', 'c']);
    expect(received(h)).toEqual(['d:RECYCLE', 'c:RECYCLE']);
    stopped(h, 'c');
    stopped(h, 'b');
    h.send('g', { type: 'RESUME_DUE', now: 1 });
    for (const id of ['a', 'b', 'c']) h.report(id, { type: 'CHILD_STARTED', id });
    expect(h.state('g')).toBe('active');
    expect(h.reported()).toContain('RUN_ENDED d');
  });

  test('a child that fails as it starts again is a failure: counted, and the restart begins again', async () => {
    const h = await four('one-for-all');
    h.report('d', held('d', 'failed', 1, 1));
    for (const id of ['c', 'b', 'a']) stopped(h, id);
    h.send('g', { type: 'RESUME_DUE', now: 1 });
    h.report('a', { type: 'CHILD_STARTED', id: 'a' });
    h.fake.clear();
    h.report('b', held('b', 'failed', 40, 2));
    // Counted; a, started again, stops again; c and d, still waiting, are not touched.
    expect(h.state('g')).toBe('restarting.stopping');
    expect(h.context('g')).toMatchObject({ restarts: 2, restartedAt: [1, 2], current: 'a' });
    expect(received(h)).toEqual(['a:RECYCLE']);
    stopped(h, 'a', 3);
    // All four start again, at the failed one's time, in start order.
    expect(h.state('g')).toBe('restarting.waiting');
    expect(h.timer('g')).toBe(40);
    h.send('g', { type: 'RESUME_DUE', now: 40 });
    for (const id of IDS) h.report(id, { type: 'CHILD_STARTED', id });
    expect(received(h)).toEqual(['a:RECYCLE', ...IDS.map((id) => `${id}:RESUME`)]);
    expect(h.state('g')).toBe('active');
    expect(h.context('g')).toMatchObject({ held: [], waiting: [], current: null });
  });

  test('a child that fails as it starts again, past the intensity, fails the group', async () => {
    const h = await four('rest-for-one', 1);
    h.report('c', held('c', 'failed', 1, 1));
    stopped(h, 'd');
    h.send('g', { type: 'RESUME_DUE', now: 1 });
    h.fake.clear();
    h.report('c', held('c', 'failed', 5, 4));
    // d, still waiting, is not stopped again; a and b, running, stop (last started first).
    expect(h.state('g')).toBe('failing');
    expect(received(h)).toEqual(['b:RECYCLE']);
    stopped(h, 'b');
    stopped(h, 'a');
    expect(h.state('g')).toBe('failed');
    expect(h.reports.at(-1)).toMatchObject({ type: 'CHILD_HELD', id: 'g', at: 4, endedAt: 4 });
  });

  test('a child that ends for good as it starts again leaves the loop; the next one starts', async () => {
    const h = await four('rest-for-one');
    h.report('c', held('c', 'failed', 1, 1));
    stopped(h, 'd');
    h.fake.clear();
    h.send('g', { type: 'RESUME_DUE', now: 1 });
    expect(received(h)).toEqual(['c:RESUME']);
    h.report('c', ended('c', 'spawn-error'));
    expect(received(h)).toEqual(['c:RESUME', 'd:RESUME']);
    h.report('d', { type: 'CHILD_STARTED', id: 'd' });
    expect(h.state('g')).toBe('active');
    expect(h.context('g').children.map((child) => child.id)).toEqual(['a', 'b', 'd']);
  });
});

describe('the intensity', () => {
  test('maxRestarts within the window restart; the next failure fails the group', async () => {
    const h = await four('one-for-one', 2, 100);
    h.report('a', held('a', 'failed', 0, 0));
    h.report('b', held('b', 'failed', 10, 10));
    expect(h.state('g')).toBe('active');
    h.report('c', held('c', 'failed', 20, 20));
    expect(h.state('g')).toBe('failing');
    // Every child still running stops, last started first; the held ones are not stopped.
    expect(received(h)).toEqual(['d:RECYCLE']);
    stopped(h, 'd', 21);
    expect(h.state('g')).toBe('failed');
    // It reports the time of the failure past its intensity: its parent counts it then.
    expect(h.reports.at(-1)).toEqual({
      type: 'CHILD_HELD',
      id: 'g',
      cause: 'failed',
      at: 20,
      endedAt: 20,
    });
  });

  test('restarts older than the window are forgotten', async () => {
    const h = await four('one-for-one', 2, 100);
    h.report('a', held('a', 'failed', 0, 0));
    h.report('b', held('b', 'failed', 10, 10));
    h.report('c', held('c', 'failed', 111, 111));
    expect(h.state('g')).toBe('active');
    expect(h.context('g')).toMatchObject({ restarts: 3, restartedAt: [111] });
  });

  test('maxRestarts 0: the first failure fails the group', async () => {
    const h = await four('one-for-all', 0);
    h.report('c', held('c', 'failed', 3, 3));
    expect(h.state('g')).toBe('failing');
    expect(received(h)).toEqual(['d:RECYCLE']);
  });
});

describe('a failed group: its parent decides', () => {
  /** Group g failed: a failed past maxRestarts 0 and b, c, d were stopped. */
  async function failedGroup() {
    const h = await four('one-for-all', 0);
    h.report('a', held('a', 'failed', 3, 3));
    for (const id of ['d', 'c', 'b']) stopped(h, id, 4);
    expect(h.state('g')).toBe('failed');
    h.fake.clear();
    return h;
  }

  test('RESUME: every child starts again in start order, with a fresh intensity', async () => {
    const h = await failedGroup();
    h.send('g', { type: 'RESUME', now: 50 });
    expect(h.state('g')).toBe('resumingAll');
    for (const id of IDS) h.report(id, { type: 'CHILD_STARTED', id });
    expect(received(h)).toEqual(IDS.map((id) => `${id}:RESUME`));
    expect(h.state('g')).toBe('active');
    expect(h.context('g')).toMatchObject({ restartedAt: [], held: [] });
    expect(h.reports.at(-1)).toEqual({ type: 'CHILD_STARTED', id: 'g' });
  });

  test('GIVE_UP: every child ends for good, last started first, one at a time; then it ends', async () => {
    const h = await failedGroup();
    h.send('g', { type: 'GIVE_UP', at: 60 });
    expect(h.state('g')).toBe('givingUp');
    for (const id of ['d', 'c', 'b', 'a']) {
      expect(received(h).at(-1)).toBe(`${id}:GIVE_UP`);
      h.report(id, ended(id, 'restart-limit'));
    }
    expect(received(h)).toEqual(['d:GIVE_UP', 'c:GIVE_UP', 'b:GIVE_UP', 'a:GIVE_UP']);
    expect(h.state('g')).toBe('stopped');
    expect(h.reported().slice(-5)).toEqual([
      'RUN_ENDED d',
      'RUN_ENDED c',
      'RUN_ENDED b',
      'RUN_ENDED a',
      'GROUP_ENDED g',
    ]);
  });

  // Each child is given up in its turn (on the report of the one before, which has no time):
  // every one carries the time the parent gave up (`stopAt`), not 0.
  test('GIVE_UP: every child is given up at the time the parent gave up', async () => {
    const h = await failedGroup();
    h.send('g', { type: 'GIVE_UP', at: 60 });
    for (const id of ['d', 'c', 'b', 'a']) h.report(id, ended(id, 'restart-limit'));
    expect(IDS.map((id) => h.fake.events(id))).toEqual(
      IDS.map(() => [{ type: 'GIVE_UP', at: 60 }]),
    );
  });
});
