// The group machine's pure functions: paths, members, the intensity window, and the plans a
// restart or a stop computes (who stops, in which order, who starts again).
import type { AnyActorRef } from 'xstate';
import { describe, expect, test } from 'vitest';
import {
  affectedBy,
  childGroupToward,
  countRestart,
  exceedsIntensity,
  groupSystemId,
  initialGroupContext,
  inRecordedOrder,
  isWaiting,
  memberOf,
  nextResumeAt,
  parentPathOf,
  planRestart,
  planRestoredRestart,
  planStopAll,
  recentGroupRestarts,
  withoutMember,
  type GroupContext,
  type GroupMember,
} from '../../src/machines/group-context.js';
import type { GroupStrategy } from '../../src/types.js';
import { settings } from '../support/group-spies.js';

const ref = {} as AnyActorRef;
const run = (id: string): GroupMember => ({ kind: 'run', id, ref });
const group = (id: string): GroupMember => ({ kind: 'group', id, ref });

/** A group `g` with runs a, b, c, d (started in that order). */
function context(strategy: GroupStrategy, overrides: Partial<GroupContext> = {}): GroupContext {
  const base = initialGroupContext({ path: 'g', settings: settings({ strategy }), createdAt: 0 });
  return { ...base, children: ['a', 'b', 'c', 'd'].map(run), ...overrides };
}

describe('a new or restored context', () => {
  test('a new group starts with no history, cancelling with `cancelled`', () => {
    const made = initialGroupContext({ path: 'g/h', settings: settings(), createdAt: 7 });
    expect(made).toMatchObject({
      path: 'g/h',
      createdAt: 7,
      origin: 'spawn',
      restoredState: null,
      children: [],
      restartedAt: [],
      restarts: 0,
      held: [],
      waiting: [],
      current: null,
      stopWith: 'cancel',
      cancelReason: 'cancelled',
      resumeAt: null,
      stopAt: null,
      failedAt: null,
      order: [],
    });
  });

  test('a restored group keeps its recorded history, state, start order and stop reason', () => {
    const restored = {
      restartedAt: [3, 4],
      restarts: 9,
      state: 'stopping' as const,
      children: ['b', 'a'],
      cancelReason: 'shutdown' as const,
    };
    const made = initialGroupContext({ path: 'g', settings: settings(), createdAt: 0, restored });
    expect(made).toMatchObject({
      origin: 'record',
      restoredState: 'stopping',
      restartedAt: [3, 4],
      restarts: 9,
      order: ['b', 'a'],
      cancelReason: 'shutdown',
    });
  });
});

describe('paths and members', () => {
  test('a group actor is registered under a system id no run id can take', () => {
    expect(groupSystemId('a/b')).toBe('group:a/b');
  });

  test('the parent of a path, or null at the top', () => {
    expect(parentPathOf('a/b/c')).toBe('a/b');
    expect(parentPathOf('a')).toBeNull();
  });

  test('the child group toward a path is matched by whole segments', () => {
    const c = context('one-for-one', { children: [run('g/x'), group('g/b'), group('g/bc')] });
    expect(childGroupToward(c, 'g/b')?.id).toBe('g/b');
    expect(childGroupToward(c, 'g/b/deep')?.id).toBe('g/b');
    expect(childGroupToward(c, 'g/bc/deep')?.id).toBe('g/bc');
    // A run is never a way down, and no group is on the way to a sibling path.
    expect(childGroupToward(c, 'g/x')).toBeUndefined();
    expect(childGroupToward(c, 'g/z')).toBeUndefined();
  });

  test('a member that leaves leaves every list, and is no longer current', () => {
    const c = context('one-for-all', {
      held: [{ id: 'b', at: 1 }],
      waiting: ['b', 'c'],
      toStop: ['c', 'b'],
      toResume: ['b', 'c'],
      current: 'b',
    });
    expect(withoutMember(c, 'b')).toEqual({
      children: ['a', 'c', 'd'].map(run),
      held: [],
      waiting: ['c'],
      toStop: ['c'],
      toResume: ['c'],
      current: null,
    });
    expect(withoutMember(c, 'c').current).toBe('b');
    expect(memberOf(c, 'd')?.id).toBe('d');
    expect(memberOf(c, 'zz')).toBeUndefined();
  });
});

describe('the intensity: maxRestarts within restartWindowMs', () => {
  const windowed = (restartedAt: number[]) =>
    context('one-for-one', {
      settings: settings({ maxRestarts: 2, restartWindowMs: 100 }),
      restartedAt,
      restarts: restartedAt.length,
    });

  test('restarts older than the window do not count (one exactly a window ago neither)', () => {
    expect(recentGroupRestarts(windowed([0, 50, 100]), 150)).toEqual([100]);
    expect(recentGroupRestarts(windowed([0, 51, 100]), 150)).toEqual([51, 100]);
  });

  test('another restart is refused once maxRestarts happened within the window', () => {
    expect(exceedsIntensity(windowed([10]), 50)).toBe(false);
    expect(exceedsIntensity(windowed([10, 20]), 50)).toBe(true);
    expect(exceedsIntensity(windowed([10, 20]), 111)).toBe(false);
    expect(exceedsIntensity({ ...windowed([]), settings: settings({ maxRestarts: 0 }) }, 0)).toBe(
      true,
    );
  });

  test('counting a restart drops those past the window and keeps the total', () => {
    expect(countRestart(windowed([0, 60]), 130)).toEqual({ restartedAt: [60, 130], restarts: 3 });
  });
});

describe('which children a restart affects', () => {
  test.each([
    ['one-for-one', ['b']],
    ['one-for-all', ['a', 'b', 'c', 'd']],
    ['rest-for-one', ['b', 'c', 'd']],
  ] as const)('%s: the failed one first, in start order', (strategy, affected) => {
    expect(affectedBy(context(strategy), 'b')).toEqual(affected);
  });

  test('rest-for-one of a child no longer there affects only that one', () => {
    expect(affectedBy(context('rest-for-one'), 'gone')).toEqual(['gone']);
  });
});

describe('planning a restart', () => {
  test('one-for-all: the others stop last started first, all start again in start order', () => {
    expect(planRestart(context('one-for-all'), 'b', 40)).toEqual({
      toStop: ['d', 'c', 'a'],
      toResume: ['a', 'b', 'c', 'd'],
      held: [],
      resumeAt: 40,
      stopWith: 'recycle',
    });
  });

  test('rest-for-one: those started after the failed one stop; earlier ones go on', () => {
    expect(planRestart(context('rest-for-one'), 'b', 40)).toMatchObject({
      toStop: ['d', 'c'],
      toResume: ['b', 'c', 'd'],
    });
  });

  test('a child already waiting is not stopped again; it starts with the others', () => {
    const c = context('one-for-all', { held: [{ id: 'b', at: 5 }], waiting: ['b'] });
    expect(planRestart(c, 'b', 40)).toMatchObject({
      toStop: ['d', 'c', 'a'],
      held: [],
      resumeAt: 40,
    });
    const other = context('one-for-all', { held: [{ id: 'c', at: 5 }], waiting: ['c'] });
    expect(planRestart(other, 'b', 40)).toMatchObject({ toStop: ['d', 'a'], held: [] });
  });

  test('the restart waits for the latest restart time it took in', () => {
    expect(planRestart(context('one-for-all', { resumeAt: 90 }), 'b', 40).resumeAt).toBe(90);
  });

  test('a second failure does not stop again a child the restart already stopped', () => {
    const first = { ...context('one-for-all'), ...planRestart(context('one-for-all'), 'a', 10) };
    // a failed first, d stopped (both wait), c is being stopped now, when b fails by itself.
    const during: GroupContext = {
      ...first,
      toStop: ['b'],
      current: 'c',
      held: [
        { id: 'd', at: 10 },
        { id: 'b', at: 11 },
      ],
      waiting: ['a', 'd', 'b'],
    };
    const second = planRestart(during, 'b', 11);
    // Whatever is on the stop list but c (waited on now) waits already: stopNext passes over
    // it, so no child that waits is asked to stop again. All four start again, at b's time.
    expect(second.toStop?.filter((id) => id !== 'c' && !isWaiting(during, id))).toEqual([]);
    expect(second).toMatchObject({ toResume: ['a', 'b', 'c', 'd'], held: [], resumeAt: 11 });
  });
});

describe('a restart found under way at boot', () => {
  const held = [
    { id: 'b', at: 30 },
    { id: 'd', at: 50 },
  ];

  test.each([
    ['one-for-all', ['c', 'a'], ['a', 'b', 'c', 'd']],
    ['rest-for-one', ['c'], ['b', 'c', 'd']],
  ] as const)(
    '%s: the affected running children stop first; all start at the latest time',
    (strategy, toStop, toResume) => {
      const c = context(strategy, { held, waiting: ['b', 'd'] });
      expect(planRestoredRestart(c)).toEqual({
        toStop,
        toResume,
        resumeAt: 50,
        held: [],
        stopWith: 'recycle',
      });
    },
  );

  test('its children are put back in their recorded start order; others come last', () => {
    const c = context('one-for-all', { order: ['c', 'a', 'gone'] });
    expect(inRecordedOrder(c).map((child) => child.id)).toEqual(['c', 'a', 'b', 'd']);
  });
});

describe('planning a stop of every child', () => {
  const c = context('one-for-one', { held: [{ id: 'b', at: 5 }], waiting: ['b'] });

  test('a recycle skips children already waiting', () => {
    expect(planStopAll(c, 'recycle')).toEqual({ toStop: ['d', 'c', 'a'], stopWith: 'recycle' });
  });

  test.each(['cancel', 'give-up'] as const)('%s: every child, last started first', (how) => {
    expect(planStopAll(c, how)).toEqual({ toStop: ['d', 'c', 'b', 'a'], stopWith: how });
  });
});

test('the timer wakes for the earliest held child, or for none', () => {
  expect(nextResumeAt(context('one-for-one'))).toBeNull();
  const held = [
    { id: 'a', at: 30 },
    { id: 'b', at: 10 },
    { id: 'c', at: 20 },
  ];
  expect(nextResumeAt(context('one-for-one', { held }))).toBe(10);
});
