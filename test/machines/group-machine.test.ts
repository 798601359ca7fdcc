// The group machine in a small parent, its runs fake: its write-ahead (and a stop while it
// writes), admission and routing of spawns and groups down the tree, one-for-one restarts on
// its timer, what passes up to the parent, and a `leave` (RELEASE). A group rebuilt at boot:
// group-machine-restore.test.ts.
import { describe, expect, test } from 'vitest';
import { ended, groupHarness, held } from '../support/group-spies.js';

/** Group `g` (settings `overrides`) with fake runs `ids`, started in that order. */
async function withRuns(ids: readonly string[], overrides = {}) {
  const h = groupHarness();
  await h.add('g', overrides);
  for (const id of ids) h.spawn('g', id);
  return h;
}

describe('recording: the write-ahead', () => {
  test('a new group writes its record before it takes a child', async () => {
    const h = groupHarness({ holdWrites: true });
    await h.add('g');
    expect(h.state('g')).toBe('recording');
    expect(h.written).toEqual(['g']);
    h.spawn('g', 'early');
    expect(h.reported()).toEqual(['SPAWN_REFUSED early']);
    await h.settleWrite('g');
    expect(h.state('g')).toBe('active');
    h.spawn('g', 'a');
    expect(h.reported()).toEqual(['SPAWN_REFUSED early', 'SPAWN_ADMITTED a']);
  });

  test('a record that cannot be stored: refused, before it ran anything', async () => {
    const h = groupHarness({ holdWrites: true });
    await h.add('g');
    await h.settleWrite('g', new Error('store down'));
    expect(h.state('g')).toBe('refused');
    expect(h.reported()).toEqual(['GROUP_ENDED g']);
  });

  // It has no child yet: a stop asked while its record is written is done at once (the
  // runtime deletes a record that lands later), so its parent never waits on the write.
  test.each([
    [{ type: 'CANCEL', reason: 'shutdown', at: 1 } as const, 'stopped', 'GROUP_ENDED g'],
    [{ type: 'RELEASE', at: 1 } as const, 'released', 'GROUP_ENDED g'],
    [{ type: 'RECYCLE', at: 1 } as const, 'held', 'CHILD_HELD g'],
  ])('%o while recording: at once, whenever its write settles', async (event, state, report) => {
    const h = groupHarness({ holdWrites: true });
    await h.add('g');
    h.send('g', event);
    expect(h.state('g')).toBe(state);
    expect(h.reported()).toEqual([report]);
    await h.settleWrite('g');
    expect(h.state('g')).toBe(state);
    expect(h.reported()).toEqual([report]);
  });

  test('recycled while recording, then resumed: it runs, and says it started', async () => {
    const h = groupHarness({ holdWrites: true });
    await h.add('g');
    h.send('g', { type: 'RECYCLE', at: 1 });
    expect(h.reports.at(-1)).toEqual({
      type: 'CHILD_HELD',
      id: 'g',
      cause: 'stopped',
      at: 0,
      endedAt: 0,
    });
    h.send('g', { type: 'RESUME', now: 2 });
    expect(h.state('g')).toBe('active');
    expect(h.reported()).toEqual(['CHILD_HELD g', 'CHILD_STARTED g']);
  });
});

describe('children: runs and groups, in start order', () => {
  test('an admitted run is a child registered under its run id; the parent is told', async () => {
    const h = await withRuns(['a', 'b']);
    expect(h.context('g').children.map((child) => `${child.kind}:${child.id}`)).toEqual([
      'run:a',
      'run:b',
    ]);
    expect(h.ref('a')._parent).toBe(h.ref('g'));
    expect(h.reported()).toEqual(['SPAWN_ADMITTED a', 'SPAWN_ADMITTED b']);
  });

  test('spawns and groups for a group below are passed down; admissions come back up', async () => {
    const h = await withRuns(['a']);
    await h.add('g/n');
    await h.add('g/n/m');
    h.spawn('g/n/m', 'deep');
    expect(h.context('g').children.map((child) => child.id)).toEqual(['a', 'g/n']);
    expect(h.context('g/n').children.map((child) => child.id)).toEqual(['g/n/m']);
    expect(h.context('g/n/m').children.map((child) => child.id)).toEqual(['deep']);
    expect(h.state('g/n/m')).toBe('active');
    // Each nested group wrote its record first.
    expect(h.written).toEqual(['g', 'g/n', 'g/n/m']);
    expect(h.reported()).toEqual(['SPAWN_ADMITTED a', 'SPAWN_ADMITTED deep']);
  });

  test('a spawn or a group on the way to no group is refused, so every caller is answered', async () => {
    const h = await withRuns([]);
    h.spawn('g/missing', 'lost');
    h.send('g', {
      type: 'ADD_GROUP',
      path: 'g/missing/x',
      settings: h.context('g').settings,
      createdAt: 0,
    });
    expect(h.reported()).toEqual(['SPAWN_REFUSED lost', 'GROUP_REFUSED g/missing/x']);
  });

  test('a run that ends leaves its group, and its end goes up', async () => {
    const h = await withRuns(['a', 'b']);
    h.report('a', ended('a'));
    expect(h.context('g').children.map((child) => child.id)).toEqual(['b']);
    expect(h.actor.system.get('a')).toBeUndefined();
    expect(h.reported().at(-1)).toBe('RUN_ENDED a');
  });

  test('the end of a run two groups down passes through each group to the parent', async () => {
    const h = await withRuns(['a']);
    await h.add('g/n');
    h.spawn('g/n', 'x');
    h.report('x', ended('x'));
    expect(h.context('g/n').children).toEqual([]);
    expect(h.context('g').children.map((child) => child.id)).toEqual(['a', 'g/n']);
    expect(h.reported()).toEqual(['SPAWN_ADMITTED a', 'SPAWN_ADMITTED x', 'RUN_ENDED x']);
  });

  test('a scope replacement is the parent business: the request goes up', async () => {
    const h = await withRuns(['a']);
    h.report('a', { type: 'REPLACE_PREDECESSORS', runId: 'a' });
    expect(h.reported().at(-1)).toBe('REPLACE_PREDECESSORS a');
  });
});

describe('one-for-one: the failed child starts again at its own time', () => {
  test('held until its `at`, then resumed by the timer; the others never hear of it', async () => {
    const h = await withRuns(['a', 'b', 'c']);
    expect(h.timer('g')).toBeNull();
    h.report('b', held('b', 'failed', 50, 40));
    expect(h.state('g')).toBe('active');
    expect(h.context('g')).toMatchObject({
      restarts: 1,
      restartedAt: [40],
      held: [{ id: 'b', at: 50 }],
    });
    expect(h.timer('g')).toBe(50);
    // Woken early: nothing is due yet, and the timer is armed again.
    h.send('g', { type: 'RESUME_DUE', now: 49 });
    expect(h.fake.received('b')).toEqual([]);
    expect(h.timer('g')).toBe(50);
    h.send('g', { type: 'RESUME_DUE', now: 50 });
    expect(h.fake.events('b')).toEqual([{ type: 'RESUME', now: 50 }]);
    expect(h.context('g').held).toEqual([]);
    expect(h.timer('g')).toBeNull();
    expect([h.fake.received('a'), h.fake.received('c')]).toEqual([[], []]);
  });

  test('several held children: each starts at its own time, in start order when due together', async () => {
    const h = await withRuns(['a', 'b', 'c']);
    h.report('c', held('c', 'failed', 30, 1));
    h.report('a', held('a', 'failed', 30, 2));
    h.report('b', held('b', 'failed', 90, 3));
    expect(h.timer('g')).toBe(30);
    h.send('g', { type: 'RESUME_DUE', now: 30 });
    expect(['a', 'b', 'c'].map((id) => h.fake.received(id).length)).toEqual([1, 0, 1]);
    expect(h.timer('g')).toBe(90);
  });

  test('a child held for another reason than its failure is not counted, only resumed', async () => {
    const h = await withRuns(['a']);
    h.report('a', held('a', 'restored', 20));
    expect(h.context('g')).toMatchObject({
      restarts: 0,
      restartedAt: [],
      held: [{ id: 'a', at: 20 }],
    });
    expect(h.timer('g')).toBe(20);
  });
});

describe('RELEASE: a `leave`, nothing signalled', () => {
  test('every child is released at once (groups below too); released once none is left', async () => {
    const h = await withRuns(['a', 'b']);
    await h.add('g/n');
    h.spawn('g/n', 'x');
    h.send('g', { type: 'RELEASE', at: 7 });
    expect(h.state('g')).toBe('releasing');
    expect(h.state('g/n')).toBe('releasing');
    for (const id of ['a', 'b', 'x'])
      expect(h.fake.events(id)).toEqual([{ type: 'RELEASE', at: 7 }]);
    for (const id of ['b', 'x', 'a']) h.report(id, ended(id, 'released'));
    expect(h.state('g')).toBe('released');
    expect(h.reported().slice(-4)).toEqual([
      'RUN_ENDED b',
      'RUN_ENDED x',
      'RUN_ENDED a',
      'GROUP_ENDED g',
    ]);
  });
});
