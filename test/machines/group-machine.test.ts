// The group machine in a small parent, its runs fake: its write-ahead, admission and routing
// of spawns and groups down the tree, one-for-one restarts on its timer, what passes up to
// the parent, a `leave` (RELEASE), and a group rebuilt at boot.
import { describe, expect, test } from 'vitest';
import { FACTS_FOR, fakeIdentity, storedContext } from '../support/run-fixtures.js';
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

  test('a record that cannot be stored ends the group before it ran anything', async () => {
    const h = groupHarness({ holdWrites: true });
    await h.add('g');
    await h.settleWrite('g', new Error('store down'));
    expect(h.state('g')).toBe('stopped');
    expect(h.reported()).toEqual(['GROUP_ENDED g']);
  });

  // Bug (group-machine.ts `recording`): it takes neither CANCEL nor RELEASE, so a group whose
  // record is still being written when its parent stops (a supervisor shutdown, a cancel of
  // the parent group) goes on to `active` once the write lands, and its parent waits forever.
  test.fails.each([
    [{ type: 'CANCEL', reason: 'shutdown', at: 1 } as const, 'stopped'],
    [{ type: 'RELEASE', at: 1 } as const, 'released'],
  ])('%o while recording ends it once its write settled', async (event, state) => {
    const h = groupHarness({ holdWrites: true });
    await h.add('g');
    h.send('g', event);
    await h.settleWrite('g');
    expect(h.state('g')).toBe(state);
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

describe('restore: a group rebuilt at boot', () => {
  const restored = (state: 'active' | 'stopping' | 'failed') => ({
    restored: { restartedAt: [5], restarts: 3, state },
  });
  const adopt = (path: string, runId: string) => ({
    type: 'ADOPT_RUN' as const,
    path,
    record: storedContext({ runId }),
    facts: FACTS_FOR.reattach,
    root: fakeIdentity,
    at: 9,
  });

  test('it writes no record again, adopts its runs, and takes up its state once told', async () => {
    const h = groupHarness({ holdWrites: true });
    await h.add('g', {}, restored('active'));
    expect(h.written).toEqual([]);
    expect(h.state('g')).toBe('restoring');
    h.send('g', adopt('g', 'a'));
    expect(h.fake.received('a')).toEqual(['ADOPT']);
    expect(h.context('g')).toMatchObject({ restarts: 3, restartedAt: [5] });
    h.send('g', { type: 'ADOPTED' });
    expect(h.state('g')).toBe('active');
  });

  // Bug (group-machine.ts `restoring`): it has no ADD_GROUP, so the boot's ADD_GROUP for a
  // nested group is refused (GROUP_REFUSED), and ADOPT_RUN for that group's runs is dropped
  // on the way down (routeDown answers nothing for it). On a real supervisor after a `leave`
  // and a reboot, the nested run is quarantined ("has no actor"), its process is not ended,
  // and the next shutdown waits for it forever (it counts as live).
  test.fails(
    'a nested group is rebuilt under its rebuilt parent, and adopts its runs',
    async () => {
      const h = groupHarness();
      await h.add('g', {}, restored('active'));
      await h.add('g/n', {}, restored('active'));
      h.send('g', adopt('g/n', 'x'));
      expect(h.reported()).toEqual([]);
      expect(h.fake.received('x')).toEqual(['ADOPT']);
      h.send('g', { type: 'ADOPTED' });
      expect([h.state('g'), h.state('g/n')]).toEqual(['active', 'active']);
    },
  );

  test('recorded while stopping: it takes up the stop (each child cancelled in turn)', async () => {
    const h = groupHarness();
    await h.add('g', {}, restored('stopping'));
    h.send('g', adopt('g', 'a'));
    h.send('g', adopt('g', 'b'));
    h.send('g', { type: 'ADOPTED' });
    expect(h.state('g')).toBe('stopping');
    expect([h.fake.received('a'), h.fake.received('b')]).toEqual([['ADOPT'], ['ADOPT', 'CANCEL']]);
  });

  test('recorded as failed: its running children stop again, and its parent is told', async () => {
    const h = groupHarness();
    await h.add('g', {}, restored('failed'));
    h.send('g', adopt('g', 'a'));
    h.send('g', adopt('g', 'b'));
    // a was held when the supervisor left: the boot finds it waiting.
    h.report('a', held('a', 'restored', 5));
    h.send('g', { type: 'ADOPTED' });
    expect(h.state('g')).toBe('failing');
    expect([h.fake.received('a'), h.fake.received('b')]).toEqual([['ADOPT'], ['ADOPT', 'RECYCLE']]);
    h.report('b', held('b', 'stopped', 9));
    expect(h.state('g')).toBe('failed');
    expect(h.reports.at(-1)).toEqual({
      type: 'CHILD_HELD',
      id: 'g',
      cause: 'failed',
      at: 5,
      endedAt: 5,
    });
  });

  test('a cancel or a leave while it is being rebuilt is taken at once', async () => {
    const h = groupHarness();
    await h.add('g', {}, restored('active'));
    h.send('g', adopt('g', 'a'));
    h.send('g', { type: 'CANCEL_GROUP', path: 'g', reason: 'cancelled', at: 3 });
    expect(h.state('g')).toBe('stopping');
    expect(h.fake.events('a').at(-1)).toEqual({ type: 'CANCEL', reason: 'cancelled', at: 3 });
  });
});
