// How long finished runs stay: final records are kept up to `retention.maxFinishedRecords`
// (newest first, as runs finish and again at boot) and `retention.maxAgeMs` (at boot, by
// their last write); `limits.maxFinishedRuns` bounds only the finished runs a supervisor
// holds in memory. Through the public surface, on a real SQLite store that is reopened to
// check what is really left, with a manual clock for the ages. Live runs are never deleted.
import { afterEach, expect, test } from 'vitest';
import type { Supervisor } from '../../src/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { liveMarked } from '../support/process-checks.js';
import { editRecord, withRecords } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const create = useSupervisors();
const removers: Array<() => void> = [];
afterEach(() => {
  for (const remove of removers.splice(0)) remove();
});

const T0 = 1_800_000_000_000;

function home(): string {
  const temp = createTempHome();
  removers.push(temp.remove);
  return temp.path;
}

/** A run that finishes at `at` (the clock stands still meanwhile); returns its id. */
async function finishAt(sup: Supervisor, clock: ManualClock, at: number): Promise<string> {
  clock.advanceTo(at);
  const run = await sup.spawn({ command: 'true' });
  expect(await run.exited).toMatchObject({ reason: 'exit', exitCode: 0 });
  return run.id;
}

/** A run that stays live across supervisors: reattached, never idle, silent. */
async function spawnLive(sup: Supervisor): Promise<string> {
  const run = await sup.spawn({
    command: 'sleep',
    args: ['60'],
    onOrphan: 'reattach',
    idleAfterMs: 0,
  });
  return run.id;
}

/** What the store really holds, read through a fresh connection: run id -> final, updatedAt. */
async function stored(dir: string): Promise<Record<string, { final: boolean; updatedAt: number }>> {
  const entries = await withRecords(dir, (store) => store.readAll());
  return Object.fromEntries(
    entries.map((entry) => {
      const { final, updatedAt } = entry.value as { final: boolean; updatedAt: number };
      return [entry.runId, { final, updatedAt }];
    }),
  );
}

const ids = (sup: Supervisor) => sup.list().map((info) => info.id);

test('maxFinishedRecords: as runs finish, the oldest final records beyond it are deleted; live ones never', async () => {
  const dir = home();
  const clock = new ManualClock(T0);
  const retention = { maxFinishedRecords: 2 };
  const first = await create({ home: dir, clock, retention });
  const live = await spawnLive(first);
  const done: string[] = [];
  for (let i = 1; i <= 4; i++) done.push(await finishAt(first, clock, T0 + i * 1000));
  const [, , third, fourth] = done;
  // Deletions follow each finish without being awaited by it.
  await waitUntil(
    async () => Object.keys(await stored(dir)).length === 3,
    10_000,
    'two records to be deleted',
  );
  expect(await stored(dir)).toEqual({
    [live]: { final: false, updatedAt: T0 },
    [String(third)]: { final: true, updatedAt: T0 + 3000 },
    [String(fourth)]: { final: true, updatedAt: T0 + 4000 },
  });
  await first.shutdown({ runs: 'leave' });

  clock.advanceTo(T0 + 5000);
  const second = await create({ home: dir, clock, retention });
  expect(second.lastReconcile).toMatchObject({ reattached: [live], expired: 0 });
  expect(ids(second)).toEqual([live, third, fourth]);
  expect(second.get(done[0] ?? '')).toBeUndefined();
  // The live run finishes last, so it is the newest: the oldest retained record goes.
  clock.advanceTo(T0 + 6000);
  expect(await second.cancel(live)).toMatchObject({ reason: 'cancelled' });
  await waitUntil(
    async () => Object.keys(await stored(dir)).length === 2,
    10_000,
    'the third record to be deleted',
  );
  expect(Object.keys(await stored(dir)).sort()).toEqual([live, String(fourth)].sort());
  expect(ids(second)).toEqual([live, fourth]);
  expect(liveMarked(live)).toEqual([]);
});

test('maxFinishedRecords at boot: records kept under a larger bound are cut to the newest', async () => {
  const dir = home();
  const clock = new ManualClock(T0);
  const first = await create({ home: dir, clock, retention: { maxFinishedRecords: 10 } });
  const live = await spawnLive(first);
  const done: string[] = [];
  for (let i = 1; i <= 4; i++) done.push(await finishAt(first, clock, T0 + i * 1000));
  await first.shutdown({ runs: 'leave' });
  expect(Object.keys(await stored(dir))).toHaveLength(5);

  const second = await create({ home: dir, clock, retention: { maxFinishedRecords: 2 } });
  expect(second.lastReconcile).toMatchObject({ reattached: [live], expired: 2 });
  expect(ids(second)).toEqual([live, ...done.slice(2)]);
  const left = await stored(dir);
  expect(Object.keys(left).sort()).toEqual([live, ...done.slice(2)].sort());
  expect(left[live]?.final).toBe(false);
});

test('maxAgeMs: at boot, final records last written before now - maxAgeMs are deleted; a live one never is', async () => {
  const dir = home();
  const clock = new ManualClock(T0);
  const first = await create({ home: dir, clock });
  const live = await spawnLive(first);
  const old = await finishAt(first, clock, T0);
  const edge = await finishAt(first, clock, T0 + 40_000);
  const fresh = await finishAt(first, clock, T0 + 90_000);
  await first.shutdown({ runs: 'leave' });
  // The live run's record made as old as the oldest one (leave wrote it last).
  await editRecord(dir, live, (record) => {
    record.updatedAt = T0;
  });
  expect((await stored(dir))[live]).toEqual({ final: false, updatedAt: T0 });

  // At T0 + 100 s with a 60 s bound the cut-off is T0 + 40 s: older is deleted, equal is kept.
  clock.advanceTo(T0 + 100_000);
  const second = await create({ home: dir, clock, retention: { maxAgeMs: 60_000 } });
  expect(second.lastReconcile).toMatchObject({ reattached: [live], expired: 1 });
  expect(ids(second)).toEqual([live, edge, fresh]);
  expect(second.get(old)).toBeUndefined();
  const left = await stored(dir);
  expect(Object.keys(left).sort()).toEqual([live, edge, fresh].sort());
  expect(left[live]?.final).toBe(false);
  expect(second.handle(live)?.state).toBe('running');
});

test('limits.maxFinishedRuns bounds the finished runs held in memory, never their records', async () => {
  const dir = home();
  const clock = new ManualClock(T0);
  const first = await create({ home: dir, clock, limits: { maxFinishedRuns: 2 } });
  const live = await first.spawn({ command: 'sh', args: ['-c', 'echo live; sleep 60'] });
  const done: string[] = [];
  for (let i = 1; i <= 4; i++) done.push(await finishAt(first, clock, T0 + i * 1000));
  const [oldest, second, third, fourth] = done;
  // The two oldest finished runs left memory: no handle, no view.
  for (const id of [oldest, second]) {
    expect(first.handle(id ?? '')).toBeUndefined();
    expect(first.get(id ?? '')).toBeUndefined();
  }
  expect(first.handle(third ?? '')?.state).toBe('done');
  expect(first.handle(fourth ?? '')?.state).toBe('done');
  // A live run is never dropped, however many runs finish after it.
  await waitUntil(() => live.output().text === 'live\n', 5000, 'the live output');
  expect(first.handle(live.id)?.state).toBe('running');
  expect(ids(first)).toEqual([live.id, third, fourth]);
  // Their records are retention's business: every one of them is still stored.
  expect(Object.keys(await stored(dir)).sort()).toEqual([live.id, ...done].sort());
  await first.shutdown();

  const next = await create({ home: dir, clock });
  expect(ids(next)).toEqual([live.id, ...done]);
  expect(next.get(oldest ?? '')).toMatchObject({ state: 'done', exit: { reason: 'exit' } });
  expect(next.get(live.id)).toMatchObject({ state: 'done', exit: { reason: 'shutdown' } });
});
