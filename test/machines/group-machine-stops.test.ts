// Stops of the group machine with fake runs and real nested groups: a cancel ends the
// subtree one child at a time, last started first, a nested group being one child like a
// run; what a stopping group refuses; a parent's recycle; escalation of a failed group.
import { describe, expect, test } from 'vitest';
import { ended, groupHarness, held, type GroupHarness } from '../support/group-spies.js';

/** g: [a, g/n: [x, y], b], every group one-for-one unless told. */
async function tree(top = {}, nested = {}) {
  const h = groupHarness();
  await h.add('g', top);
  h.spawn('g', 'a');
  await h.add('g/n', nested);
  h.spawn('g/n', 'x');
  h.spawn('g/n', 'y');
  h.spawn('g', 'b');
  h.fake.clear();
  h.reports.length = 0;
  return h;
}

const end = (h: GroupHarness, id: string, reason: Parameters<typeof ended>[1] = 'cancelled') => {
  h.report(id, ended(id, reason));
};

describe('cancel: the subtree ends, last started first, each verified before the next', () => {
  test('a nested group is one child: its own subtree ends in its turn', async () => {
    const h = await tree();
    h.send('g', { type: 'CANCEL_GROUP', path: 'g', reason: 'shutdown', at: 9 });
    expect(h.state('g')).toBe('stopping');
    expect(h.fake.events('b')).toEqual([{ type: 'CANCEL', reason: 'shutdown', at: 9 }]);
    end(h, 'b');
    // The nested group's turn: it cancels its own children, last started first.
    expect(h.state('g/n')).toBe('stopping');
    expect(h.fake.log()).toEqual(['b:CANCEL', 'y:CANCEL']);
    end(h, 'y');
    end(h, 'x');
    expect(h.fake.log()).toEqual(['b:CANCEL', 'y:CANCEL', 'x:CANCEL', 'a:CANCEL']);
    expect(h.context('g').children.map((child) => child.id)).toEqual(['a']);
    end(h, 'a');
    expect(h.state('g')).toBe('stopped');
    // Every run's end reaches the parent; the nested group's end stays with its parent.
    expect(h.reported()).toEqual([
      'RUN_ENDED b',
      'RUN_ENDED y',
      'RUN_ENDED x',
      'RUN_ENDED a',
      'GROUP_ENDED g',
    ]);
  });

  test('a cancel of a nested group stops only its subtree; its parent forgets it', async () => {
    const h = await tree();
    h.send('g', { type: 'CANCEL_GROUP', path: 'g/n', reason: 'cancelled', at: 3 });
    expect([h.state('g'), h.state('g/n')]).toEqual(['active', 'stopping']);
    end(h, 'y');
    end(h, 'x');
    expect(h.context('g').children.map((child) => child.id)).toEqual(['a', 'b']);
    expect(h.actor.system.get('group:g/n')).toBeUndefined();
    expect(h.fake.log()).toEqual(['y:CANCEL', 'x:CANCEL']);
  });

  test('held children are cancelled in their turn; a failure while stopping restarts nothing', async () => {
    const h = await tree();
    h.report('b', held('b', 'failed', 50, 1));
    h.send('g', { type: 'CANCEL', reason: 'cancelled', at: 2 });
    h.report('a', held('a', 'failed', 60, 2));
    expect(h.state('g')).toBe('stopping');
    expect(h.context('g')).toMatchObject({
      restarts: 1,
      held: [
        { id: 'b', at: 50 },
        { id: 'a', at: 60 },
      ],
    });
    end(h, 'b');
    end(h, 'y');
    end(h, 'x');
    end(h, 'a');
    expect(h.fake.log()).toEqual(['b:CANCEL', 'y:CANCEL', 'x:CANCEL', 'a:CANCEL']);
    expect(h.state('g')).toBe('stopped');
  });

  test('a child being cancelled that reports held instead (it failed just before) is cancelled again', async () => {
    const h = await tree();
    h.send('g', { type: 'CANCEL', reason: 'cancelled', at: 2 });
    h.report('b', held('b', 'failed', 50, 1));
    expect(h.fake.log()).toEqual(['b:CANCEL', 'b:CANCEL']);
    expect(h.context('g').restarts).toBe(0);
    end(h, 'b');
    expect(h.fake.log().at(-1)).toBe('y:CANCEL');
  });

  test('a leave while stopping releases whatever is left, the child being stopped too', async () => {
    const h = await tree();
    h.send('g', { type: 'CANCEL', reason: 'cancelled', at: 2 });
    h.send('g', { type: 'RELEASE', at: 3 });
    expect([h.state('g'), h.state('g/n')]).toEqual(['releasing', 'releasing']);
    // No order: nothing is signalled.
    expect(h.fake.log().sort()).toEqual([
      'a:RELEASE',
      'b:CANCEL',
      'b:RELEASE',
      'x:RELEASE',
      'y:RELEASE',
    ]);
    for (const id of ['a', 'b', 'x', 'y']) end(h, id, 'released');
    expect([h.state('g')]).toEqual(['released']);
  });

  test.each([
    ['failing', { maxRestarts: 0 }],
    ['held', {}],
    ['failed', { maxRestarts: 0 }],
  ])('a cancel while %s stops the subtree as well', async (state, nested) => {
    const h = await tree({}, nested);
    if (state === 'held') {
      h.send('g/n', { type: 'RECYCLE', at: 1 });
      h.report('y', held('y', 'stopped', 1));
      h.report('x', held('x', 'stopped', 1));
    } else {
      h.report('y', held('y', 'failed', 1, 1));
      if (state === 'failed') h.report('x', held('x', 'stopped', 1));
    }
    expect(h.state('g/n')).toBe(state);
    h.send('g', { type: 'CANCEL_GROUP', path: 'g/n', reason: 'cancelled', at: 2 });
    expect(h.state('g/n')).toBe('stopping');
  });
});

describe('a stopping group takes nothing new', () => {
  test('a spawn for it is refused up the tree; one for an active group below it is not', async () => {
    const h = await tree();
    h.send('g', { type: 'CANCEL', reason: 'cancelled', at: 1 });
    h.spawn('g', 'late');
    h.spawn('g/n', 'deep');
    expect(h.reported()).toEqual(['SPAWN_REFUSED late', 'SPAWN_ADMITTED deep']);
  });

  test('a group under it is refused, up the tree', async () => {
    const h = await tree();
    h.send('g', { type: 'CANCEL_GROUP', path: 'g/n', reason: 'cancelled', at: 1 });
    await h.add('g/n/m');
    await h.add('g/o');
    expect(h.reported()).toEqual(['GROUP_REFUSED g/n/m']);
    expect(h.context('g').children.map((child) => child.id)).toEqual(['a', 'g/n', 'b', 'g/o']);
  });
});

describe('a parent restarts a nested group', () => {
  test('RECYCLE: its running children stop, last started first; held, it says so', async () => {
    const h = await tree();
    h.report('x', held('x', 'failed', 90, 5));
    h.send('g/n', { type: 'RECYCLE', at: 6 });
    expect(h.state('g/n')).toBe('recycling');
    h.report('y', held('y', 'stopped', 6));
    expect(h.state('g/n')).toBe('held');
    // x was held already: it is not stopped twice.
    expect(h.fake.log()).toEqual(['y:RECYCLE']);
    // Its parent holds it (not a failure: nothing counted) until told otherwise.
    expect(h.context('g')).toMatchObject({ restarts: 0, held: [{ id: 'g/n', at: 5 }] });
    h.send('g/n', { type: 'RESUME', now: 7 });
    h.report('x', { type: 'CHILD_STARTED', id: 'x' });
    h.report('y', { type: 'CHILD_STARTED', id: 'y' });
    expect(h.fake.log()).toEqual(['y:RECYCLE', 'x:RESUME', 'y:RESUME']);
    // Restarted by its parent after a stop (not its own failure): its history stays.
    expect(h.context('g/n')).toMatchObject({ restartedAt: [5], held: [] });
  });
});

// A nested group its parent starts again says so even when a restart of its own follows.
test('a nested group that restarts as its parent starts it again says when it started', async () => {
  const h = await tree({ strategy: 'one-for-all' }, { strategy: 'one-for-all' });
  h.report('a', held('a', 'failed', 5, 5));
  for (const id of ['b', 'y', 'x']) h.report(id, held(id, 'stopped', 5));
  expect(h.state('g')).toBe('restarting.waiting');
  h.send('g', { type: 'RESUME_DUE', now: 5 });
  h.report('a', { type: 'CHILD_STARTED', id: 'a' });
  expect(h.state('g/n')).toBe('resumingAll');
  // x fails as it starts again: g/n restarts x and y by itself, at x's time.
  h.report('x', held('x', 'failed', 6, 6));
  expect(h.state('g/n')).toBe('restarting.waiting');
  h.send('g/n', { type: 'RESUME_DUE', now: 6 });
  for (const id of ['x', 'y']) h.report(id, { type: 'CHILD_STARTED', id });
  expect(h.state('g/n')).toBe('active');
  // g/n runs again: its parent goes on to b.
  expect(h.fake.log().at(-1)).toBe('b:RESUME');
  h.report('b', { type: 'CHILD_STARTED', id: 'b' });
  expect(h.state('g')).toBe('active');
});

describe('escalation: a failed group is its parent child to restart', () => {
  test('one-for-one parent: the failed group starts again with a fresh history; past the parent intensity the root gives up', async () => {
    const h = await tree({ maxRestarts: 1 }, { strategy: 'one-for-all', maxRestarts: 0 });
    h.report('x', held('x', 'failed', 10, 10));
    h.report('y', held('y', 'stopped', 10));
    expect(h.state('g/n')).toBe('failed');
    // The parent counts the nested group's failure as one restart, at its time (x's failure).
    expect(h.context('g')).toMatchObject({
      restarts: 1,
      restartedAt: [10],
      held: [{ id: 'g/n', at: 10 }],
    });
    expect(h.timer('g')).toBe(10);
    h.send('g', { type: 'RESUME_DUE', now: 11 });
    expect(h.state('g/n')).toBe('resumingAll');
    h.report('x', { type: 'CHILD_STARTED', id: 'x' });
    h.report('y', { type: 'CHILD_STARTED', id: 'y' });
    expect(h.state('g/n')).toBe('active');
    expect(h.context('g/n').restartedAt).toEqual([]);
    // It fails again: past the parent's intensity, the parent fails in turn.
    h.fake.clear();
    h.report('y', held('y', 'failed', 20, 20));
    h.report('x', held('x', 'stopped', 20));
    expect(h.state('g')).toBe('failing');
    h.report('b', held('b', 'stopped', 21));
    h.report('a', held('a', 'stopped', 21));
    expect(h.state('g')).toBe('failed');
    expect(h.fake.log()).toEqual(['x:RECYCLE', 'b:RECYCLE', 'a:RECYCLE']);
    expect(h.reports.at(-1)).toMatchObject({ type: 'CHILD_HELD', id: 'g', cause: 'failed' });
    // The root answers GIVE_UP: the subtree ends for good, last started first.
    h.fake.clear();
    h.send('g', { type: 'GIVE_UP', at: 30 });
    for (const id of ['b', 'y', 'x', 'a']) {
      expect(h.fake.log().at(-1)).toBe(`${id}:GIVE_UP`);
      end(h, id, 'restart-limit');
    }
    expect(h.state('g')).toBe('stopped');
  });
});

describe('leaving a resume loop before the current child started', () => {
  // The loop taking over waits for the child being started (`current`), takes its
  // CHILD_STARTED, then goes on: a cancel ends every child, last started first (y, held,
  // then x); a recycle passes over y, which still waits, and stops x.
  async function resuming(type: 'CANCEL' | 'RECYCLE') {
    const h = await tree();
    h.send('g/n', { type: 'RECYCLE', at: 1 });
    h.report('y', held('y', 'stopped', 1));
    h.report('x', held('x', 'stopped', 1));
    h.send('g/n', { type: 'RESUME', now: 2 });
    h.fake.clear();
    h.send('g/n', type === 'CANCEL' ? { type, reason: 'cancelled', at: 3 } : { type, at: 3 });
    // Nothing is sent while x, being started, has not said so.
    expect(h.fake.log()).toEqual([]);
    h.report('x', { type: 'CHILD_STARTED', id: 'x' });
    return h;
  }

  test('CANCEL while resumingAll: the started child is cancelled in its turn', async () => {
    const h = await resuming('CANCEL');
    expect(h.fake.log()).toEqual(['y:CANCEL']);
    end(h, 'y');
    expect(h.fake.log()).toEqual(['y:CANCEL', 'x:CANCEL']);
    end(h, 'x');
    // Its subtree ended: its parent removed it.
    expect(h.context('g').children.map((child) => child.id)).toEqual(['a', 'b']);
  });

  test('RECYCLE while resumingAll: the started child is stopped; the waiting one is not', async () => {
    const h = await resuming('RECYCLE');
    expect(h.fake.log()).toEqual(['x:RECYCLE']);
    h.report('x', held('x', 'stopped', 4));
    expect(h.state('g/n')).toBe('held');
  });
});
