// Restart policies on a real supervisor: real processes, a real SQLite store, and a manual
// clock for the backoff (a restart happens exactly when the test moves time there).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { reconcileStore, type Supervisor } from '../../src/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { liveMarked } from '../support/process-checks.js';
import { withRecords } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const create = useSupervisors();
const homes: Array<() => void> = [];
afterEach(() => {
  for (const remove of homes.splice(0)) remove();
});

/** A home, the file each start of the run appends a line to, and a supervisor on a manual clock. */
async function setUp() {
  const home = createTempHome('runwarden-restarts-');
  homes.push(home.remove);
  const clock = new ManualClock();
  const sup = await create({ home: home.path, clock });
  const starts = join(home.path, 'starts');
  const count = () => readFileSync(starts, 'utf8').split('\n').filter(Boolean).length;
  return { home: home.path, clock, sup, starts, count };
}

const inState = (sup: Supervisor, id: string, state: string) => () => sup.get(id)?.state === state;

test('on-failure: each failed generation waits its backoff, then the limit ends the run', async () => {
  const { clock, sup, starts, count, home } = await setUp();
  const run = await sup.spawn({
    command: 'sh',
    args: ['-c', `echo start >> ${starts}; exit 3`],
    restart: 'on-failure',
    restartDelayMs: 1000,
    maxRestarts: 2,
  });
  const firstPid = run.pid;
  await waitUntil(inState(sup, run.id, 'backoff'), 10_000, 'the first backoff');
  const waiting = sup.get(run.id);
  expect(waiting).toMatchObject({ restarts: 0, generation: 1, exit: null });
  const due = waiting?.nextStartAt ?? 0;
  expect(due - clock.now()).toBeGreaterThanOrEqual(800);
  expect(due - clock.now()).toBeLessThanOrEqual(1000);
  expect(count()).toBe(1);

  // Not a millisecond early: the timer is on the manual clock, so nothing else can fire it.
  clock.advanceTo(due - 1);
  expect(sup.get(run.id)?.state).toBe('backoff');
  clock.advanceTo(due);
  await waitUntil(() => sup.get(run.id)?.generation === 2, 10_000, 'the second generation');
  await waitUntil(inState(sup, run.id, 'backoff'), 10_000, 'the second backoff');
  expect(count()).toBe(2);
  expect(sup.get(run.id)).toMatchObject({ restarts: 1, generation: 2 });
  expect(sup.get(run.id)?.pid).not.toBe(firstPid);

  clock.advanceTo(sup.get(run.id)?.nextStartAt ?? 0);
  const exit = await run.exited;
  expect(exit).toMatchObject({ reason: 'restart-limit', exitCode: 3, restarts: 2 });
  expect(count()).toBe(3);
  const record = await withRecords(home, (store) => store.get(store.runKey(run.id)));
  expect(record).toMatchObject({
    final: true,
    snapshot: { value: 'done', context: { generation: 3, exit: { reason: 'restart-limit' } } },
  });
});

test('always restarts a clean exit; a cancel in backoff ends it, and nothing starts again', async () => {
  const { clock, sup, starts, count } = await setUp();
  const run = await sup.spawn({
    command: 'sh',
    args: ['-c', `echo start >> ${starts}`],
    restart: 'always',
  });
  await waitUntil(inState(sup, run.id, 'backoff'), 10_000, 'the backoff');
  const exit = await run.cancel();
  expect(exit).toMatchObject({ reason: 'cancelled', exitCode: 0, restarts: 0 });
  clock.advanceTo(clock.now() + 120_000);
  expect(count()).toBe(1);
  expect(sup.get(run.id)?.state).toBe('done');
});

test('one generation at a time: the last one is verified dead, escapees too, before the next', async () => {
  const { clock, sup, starts, count } = await setUp();
  const run = await sup.spawn({
    command: 'sh',
    args: ['-c', `(setsid sleep 300 &); echo start >> ${starts}; exit 1`],
    restart: 'on-failure',
    maxRestarts: 1,
  });
  await waitUntil(inState(sup, run.id, 'backoff'), 10_000, 'the backoff');
  // The escaped sleep of the first generation is dead before the backoff even began.
  expect(liveMarked(run.id)).toEqual([]);
  clock.advanceTo(sup.get(run.id)?.nextStartAt ?? 0);
  const exit = await run.exited;
  expect(exit).toMatchObject({ reason: 'restart-limit', restarts: 1, survivors: [] });
  expect(count()).toBe(2);
  expect(liveMarked(run.id)).toEqual([]);
});

test('each generation has its own stdin and pid; output offsets go on across generations', async () => {
  const { clock, sup } = await setUp();
  const run = await sup.spawn({
    command: 'sh',
    args: ['-c', 'read line; echo "got $line"; exit 1'],
    restart: 'on-failure',
    maxRestarts: 1,
  });
  run.write('first\n');
  await waitUntil(inState(sup, run.id, 'backoff'), 10_000, 'the backoff');
  expect(() => {
    run.write('lost\n');
  }).toThrow(/backoff/);
  clock.advanceTo(sup.get(run.id)?.nextStartAt ?? 0);
  await waitUntil(inState(sup, run.id, 'running'), 10_000, 'the second generation');
  run.write('second\n');
  await run.exited;
  const output = run.output({ since: 0 });
  expect(output.text).toBe('got first\ngot second\n');
  expect(output.offset).toBe(0);
});

test('a durable run restarts through its run host', async () => {
  const { clock, sup } = await setUp();
  const run = await sup.spawn({
    mode: 'pty',
    command: 'sh',
    args: ['-c', 'echo hello; exit 2'],
    durable: true,
    restart: 'on-failure',
    maxRestarts: 1,
  });
  await waitUntil(inState(sup, run.id, 'backoff'), 10_000, 'the backoff');
  clock.advanceTo(sup.get(run.id)?.nextStartAt ?? 0);
  const exit = await run.exited;
  expect(exit).toMatchObject({ reason: 'restart-limit', exitCode: 2, restarts: 1 });
  expect(run.output({ since: 0 }).text.match(/hello/g)).toHaveLength(2);
});

test('a run left in backoff (a leave shutdown) waits on the next boot, then restarts there', async () => {
  const { clock, sup, home } = await setUp();
  const run = await sup.spawn({
    mode: 'pty',
    command: 'sh',
    args: ['-c', 'echo up; exit 4'],
    durable: true,
    restart: 'on-failure',
    restartDelayMs: 5000,
    maxRestarts: 1,
  });
  await waitUntil(inState(sup, run.id, 'backoff'), 10_000, 'the backoff');
  const due = sup.get(run.id)?.nextStartAt ?? 0;
  await sup.shutdown({ runs: 'leave' });
  // A dry run reports it as the boot would, and starts nothing.
  const dry = await reconcileStore({ home, dryRun: true });
  expect(dry).toMatchObject({ restarting: [run.id], lost: [], killed: [] });

  const next = await create({ home, clock });
  expect(next.lastReconcile).toMatchObject({ restarting: [run.id], lost: [], killed: [] });
  expect(next.get(run.id)).toMatchObject({ state: 'backoff', nextStartAt: due, restarts: 0 });
  clock.advanceTo(due);
  const exit = await next.handle(run.id)?.exited;
  expect(exit).toMatchObject({ reason: 'restart-limit', exitCode: 4, restarts: 1 });
  expect(next.handle(run.id)?.output({ since: 0 }).text.match(/up/g)).toHaveLength(2);
});

test('a record of a run without a restart policy stays version 1, and a boot leaves it so', async () => {
  const { sup, home } = await setUp();
  const run = await sup.spawn({ command: 'true' });
  await run.exited;
  await sup.shutdown();
  const stored = () => withRecords(home, (store) => store.get(store.runKey(run.id)));
  const before = (await stored()) as { schemaVersion: number; updatedAt: number };
  expect(before.schemaVersion).toBe(1);
  await create({ home });
  expect(await stored()).toEqual(before);
});
