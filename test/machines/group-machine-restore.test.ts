// A group rebuilt at boot, with fake runs: it writes no record again, adopts its runs (and
// its nested groups, rebuilt under it), then (ADOPTED) takes up its recorded state with its
// children back in their recorded start order: a stop, a failure, or a restart under way.
import { describe, expect, test } from 'vitest';
import type { GroupRecordState } from '../../src/machines/group-context.js';
import type { CancelReason } from '../../src/types.js';
import { FACTS_FOR, fakeIdentity, storedContext } from '../support/run-fixtures.js';
import { ended, groupHarness, held } from '../support/group-spies.js';

const restored = (
  state: GroupRecordState,
  more: { children?: string[]; cancelReason?: CancelReason } = {},
) => ({
  restored: { restartedAt: [5], restarts: 3, state, ...more },
});
const adopt = (path: string, runId: string) => ({
  type: 'ADOPT_RUN' as const,
  path,
  record: storedContext({ runId }),
  facts: FACTS_FOR.reattach,
  root: fakeIdentity,
  at: 9,
});
const ids = (h: ReturnType<typeof groupHarness>, path: string) =>
  h.context(path).children.map((child) => child.id);

describe('restore: a group rebuilt at boot', () => {
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

  test('a nested group is rebuilt under its rebuilt parent, and adopts its runs', async () => {
    const h = groupHarness();
    await h.add('g', {}, restored('active'));
    await h.add('g/n', {}, restored('active'));
    h.send('g', adopt('g/n', 'x'));
    expect(h.reported()).toEqual([]);
    expect(h.fake.received('x')).toEqual(['ADOPT']);
    h.send('g', { type: 'ADOPTED' });
    expect([h.state('g'), h.state('g/n')]).toEqual(['active', 'active']);
  });

  test('its children take their recorded start order back, whatever order the boot adopted them in', async () => {
    const h = groupHarness();
    await h.add('g', {}, restored('active', { children: ['b', 'a'] }));
    h.send('g', adopt('g', 'a'));
    h.send('g', adopt('g', 'b'));
    h.send('g', adopt('g', 'c'));
    expect(ids(h, 'g')).toEqual(['a', 'b', 'c']);
    h.send('g', { type: 'ADOPTED' });
    // Runs the record does not name (started as it was written) come last.
    expect(ids(h, 'g')).toEqual(['b', 'a', 'c']);
    expect(h.context('g').order).toEqual([]);
    // So a stop goes last started first, as recorded.
    h.send('g', { type: 'CANCEL', reason: 'cancelled', at: 3 });
    h.report('c', ended('c', 'cancelled'));
    h.report('a', ended('a', 'cancelled'));
    const cancels = h.fake.log().filter((entry) => entry.endsWith(':CANCEL'));
    expect(cancels).toEqual(['c:CANCEL', 'a:CANCEL', 'b:CANCEL']);
  });

  test('recorded while stopping: it takes up the stop, for the recorded reason (each child in turn)', async () => {
    const h = groupHarness();
    await h.add('g', {}, restored('stopping', { cancelReason: 'shutdown' }));
    h.send('g', adopt('g', 'a'));
    h.send('g', adopt('g', 'b'));
    h.send('g', { type: 'ADOPTED' });
    expect(h.state('g')).toBe('stopping');
    expect([h.fake.received('a'), h.fake.received('b')]).toEqual([['ADOPT'], ['ADOPT', 'CANCEL']]);
    expect(h.fake.events('b').at(-1)).toEqual({ type: 'CANCEL', reason: 'shutdown' });
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

describe('restore: held runs found at boot', () => {
  test('one-for-all: the restart is carried out again from its start, counted once', async () => {
    const h = groupHarness();
    await h.add('g', { strategy: 'one-for-all' }, restored('active'));
    for (const id of ['a', 'b', 'c']) h.send('g', adopt('g', id));
    h.report('b', held('b', 'restored', 30));
    h.report('c', held('c', 'restored', 20));
    h.fake.clear();
    h.send('g', { type: 'ADOPTED' });
    // The affected runs still alive stop first, last started first; held ones are not stopped.
    expect(h.state('g')).toBe('restarting.stopping');
    expect(h.fake.log()).toEqual(['a:RECYCLE']);
    h.report('a', held('a', 'stopped', 31));
    expect(h.state('g')).toBe('restarting.waiting');
    // All start again together, at the latest held time, in start order.
    expect(h.timer('g')).toBe(30);
    h.send('g', { type: 'RESUME_DUE', now: 30 });
    for (const id of ['a', 'b', 'c']) h.report(id, { type: 'CHILD_STARTED', id });
    expect(h.fake.log()).toEqual(['a:RECYCLE', 'a:RESUME', 'b:RESUME', 'c:RESUME']);
    expect(h.state('g')).toBe('active');
    expect(h.context('g')).toMatchObject({ restarts: 3, held: [], waiting: [] });
  });

  test('rest-for-one: only the held run and those started after it restart', async () => {
    const h = groupHarness();
    await h.add('g', { strategy: 'rest-for-one' }, restored('active'));
    for (const id of ['a', 'b', 'c']) h.send('g', adopt('g', id));
    h.report('b', held('b', 'restored', 30));
    h.fake.clear();
    h.send('g', { type: 'ADOPTED' });
    expect(h.fake.log()).toEqual(['c:RECYCLE']);
    h.report('c', held('c', 'stopped', 31));
    h.send('g', { type: 'RESUME_DUE', now: 30 });
    for (const id of ['b', 'c']) h.report(id, { type: 'CHILD_STARTED', id });
    expect(h.fake.log()).toEqual(['c:RECYCLE', 'b:RESUME', 'c:RESUME']);
    expect(h.fake.received('a')).toEqual([]);
    expect(h.state('g')).toBe('active');
  });

  test('one-for-one: each held run starts again at its own time', async () => {
    const h = groupHarness();
    await h.add('g', {}, restored('active'));
    for (const id of ['a', 'b']) h.send('g', adopt('g', id));
    h.report('b', held('b', 'restored', 30));
    h.fake.clear();
    h.send('g', { type: 'ADOPTED' });
    expect(h.state('g')).toBe('active');
    expect(h.timer('g')).toBe(30);
    h.send('g', { type: 'RESUME_DUE', now: 30 });
    expect(h.fake.log()).toEqual(['b:RESUME']);
  });
});
