// Cold-start reconciliation in one process: a supervisor leaves its runs (as a restart on
// purpose would), and the next boot on the same store kills, reattaches or reports them.
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { SupervisorBusyError, type RunHandle } from '../../src/index.js';
import { checkIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { ManualClock } from '../support/manual-clock.js';
import {
  expectNeverSignalled,
  liveMarked,
  recorderSpec,
  waitRecorderReady,
} from '../support/process-checks.js';
import { withRecords } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const create = useSupervisors();
const homes: Array<() => void> = [];
afterEach(() => {
  for (const remove of homes.splice(0)) remove();
});
function home(): string {
  const temp = createTempHome();
  homes.push(temp.remove);
  return temp.path;
}

/** Ends a run's root from outside (by verified identity), as a crash would, and waits. */
async function killRoot(run: RunHandle): Promise<void> {
  const identity = run.info().identity;
  if (identity === null) throw new Error('no identity recorded');
  signalVerified(identity, 'SIGKILL');
  await waitUntil(() => checkIdentity(identity) !== 'alive', 5000, 'the root to die');
}

// Any fixed epoch-ms start for manual clocks: deadlines are then exact numbers.
const T0 = 1_800_000_000_000;

// A PTY run that survives its supervisor: ignores SIGHUP and leaves two escapees.
const SURVIVOR = "trap '' HUP; (sleep 81 &); (setsid sleep 82 &); sleep 83";

test('kill policy (default): the surviving tree is ended and the run recorded orphan-killed', async () => {
  const dir = home();
  const first = await create({ home: dir });
  const run = await first.spawn({
    mode: 'pty',
    command: 'bash',
    args: ['-c', SURVIVOR],
    killGraceMs: 300,
  });
  await waitUntil(() => liveMarked(run.id).length >= 3, 5000, 'the tree');
  await first.shutdown({ runs: 'leave' });
  expect(liveMarked(run.id).length).toBeGreaterThanOrEqual(3); // leave signals nothing

  const second = await create({ home: dir });
  expect(second.lastReconcile).toMatchObject({
    killed: [run.id],
    reattached: [],
    lost: [],
    quarantined: [],
  });
  expect(second.get(run.id)).toMatchObject({ state: 'done', exit: { reason: 'orphan-killed' } });
  expect(liveMarked(run.id)).toEqual([]);
});

test('reattach policy: the run is supervised again, cancel works and its end is recorded', async () => {
  const dir = home();
  const first = await create({ home: dir });
  const run = await first.spawn({ command: 'sleep', args: ['30'], onOrphan: 'reattach' });
  await first.shutdown({ runs: 'leave' });

  const second = await create({ home: dir });
  expect(second.lastReconcile?.reattached).toEqual([run.id]);
  const again = second.handle(run.id);
  expect(again?.state).toBe('running');
  expect(again?.pid).toBe(run.pid);
  expect(() => again?.write('x')).toThrow(/cannot write/); // no handle on its stdin any more
  expect(await again?.cancel()).toMatchObject({ reason: 'cancelled', exitCode: null });
  expect(liveMarked(run.id)).toEqual([]);
});

test('a reattached run that ends by itself is noticed by identity and recorded', async () => {
  const dir = home();
  const first = await create({ home: dir });
  const run = await first.spawn({ command: 'sleep', args: ['30'], onOrphan: 'reattach' });
  await first.shutdown({ runs: 'leave' });
  const second = await create({ home: dir });
  await killRoot(run);
  const exit = await second.handle(run.id)?.exited;
  expect(exit).toMatchObject({ reason: 'exit', exitCode: null, signal: null });
});

test('a reattached run keeps its absolute deadline', async () => {
  const dir = home();
  // One manual clock for both supervisors: time passes only when the test says so.
  const clock = new ManualClock(T0);
  const first = await create({ home: dir, clock });
  const run = await first.spawn({
    command: 'sleep',
    args: ['30'],
    onOrphan: 'reattach',
    timeoutMs: 5000,
  });
  expect(run.info()).toMatchObject({ startedAt: T0, deadlines: { timeoutAt: T0 + 5000 } });
  await first.shutdown({ runs: 'leave' });

  // The next supervisor boots 2 s later: a deadline restarted at the reattach would say
  // T0 + 7000 and let the run live 2 s too long.
  clock.advanceTo(T0 + 2000);
  const second = await create({ home: dir, clock });
  expect(second.lastReconcile?.reattached).toEqual([run.id]);
  const again = second.handle(run.id);
  if (again === undefined) throw new Error('the run was not reattached');
  expect(again.info()).toMatchObject({
    state: 'running',
    startedAt: T0,
    deadlines: { timeoutAt: T0 + 5000, noOutputAt: null },
  });
  clock.advanceTo(T0 + 4999);
  expect(again.state).toBe('running');
  clock.advanceTo(T0 + 5000);
  expect(await again.exited).toMatchObject({ reason: 'timeout', timedOut: true, durationMs: 5000 });
  expect(second.get(run.id)).toMatchObject({ state: 'done', endedAt: T0 + 5000 });
  expect(liveMarked(run.id)).toEqual([]);
});

test('a run whose process is gone is recorded lost, nothing is signalled', async () => {
  const dir = home();
  const first = await create({ home: dir });
  const run = await first.spawn({ command: 'sleep', args: ['30'] });
  await first.shutdown({ runs: 'leave' });
  await killRoot(run);
  const second = await create({ home: dir });
  expect(second.lastReconcile?.lost).toEqual([run.id]);
  expect(second.get(run.id)?.exit?.reason).toBe('lost');
});

test('corrupt records are quarantined with the reason, and the rest of the boot proceeds', async () => {
  const dir = home();
  const first = await create({ home: dir });
  const run = await first.spawn({ command: 'sleep', args: ['30'] });
  await first.shutdown({ runs: 'leave' });
  await withRecords(dir, async (store) => {
    await store.set(store.runKey('garbage'), 'not a record', 'plant garbage');
    await store.set(
      store.runKey('old-version'),
      { schemaVersion: 0, runId: 'old-version' },
      'plant',
    );
    // A stopped actor's snapshot could never take the boot's events: it would hang the boot.
    const stopped = structuredClone(
      (await store.get(store.runKey(run.id))) as Record<string, unknown>,
    );
    (stopped.snapshot as { status: string }).status = 'stopped';
    stopped.runId = 'stopped-actor';
    (stopped.snapshot as { context: { runId: string } }).context.runId = 'stopped-actor';
    await store.set(store.runKey('stopped-actor'), stopped, 'plant');
  });
  const second = await create({ home: dir });
  const report = second.lastReconcile;
  expect(report?.quarantined.map((q) => q.runId).sort()).toEqual([
    'garbage',
    'old-version',
    'stopped-actor',
  ]);
  expect(report?.quarantined[0]?.reason).toMatch(/invalid record/);
  expect(report?.killed).toEqual([run.id]);
  await withRecords(dir, async (store) => {
    expect(await store.get(store.runKey('garbage'))).toBeUndefined();
    expect(await store.get('default/quarantine/garbage')).toMatchObject({ value: 'not a record' });
  });
});

test('a second live supervisor of the same name fails with SupervisorBusyError', async () => {
  const dir = home();
  await create({ home: dir });
  await expect(create({ home: dir })).rejects.toBeInstanceOf(SupervisorBusyError);
  // Another name on the same store is independent.
  await expect(create({ home: dir, name: 'other' })).resolves.toBeDefined();
});

test("a run's own policy wins; without one, the policy of the supervisor that finds it decides", async () => {
  const dir = home();
  const first = await create({ home: dir });
  const unset = await first.spawn({ command: 'sleep', args: ['30'] });
  const explicitKill = await first.spawn({ command: 'sleep', args: ['30'], onOrphan: 'kill' });
  expect(unset.info().onOrphan).toBeNull();
  await first.shutdown({ runs: 'leave' });
  const second = await create({ home: dir, onOrphan: 'reattach' });
  expect(second.lastReconcile?.reattached).toEqual([unset.id]);
  expect(second.lastReconcile?.killed).toEqual([explicitKill.id]);
});

test('leave settles everything: exited resolves as released, a spawn in flight rejects', async () => {
  const dir = home();
  const sup = await create({ home: dir });
  const signals = join(dir, 'signals');
  const run = await sup.spawn({ ...recorderSpec(signals), killGraceMs: 200 });
  const identity = await waitRecorderReady(signals);
  expect(identity).toEqual(run.info().identity);
  const inFlight = sup.spawn({ command: 'sleep', args: ['30'] });
  inFlight.catch(() => undefined); // asserted below, after the shutdown
  await sup.shutdown({ runs: 'leave' });
  await expect(inFlight).rejects.toMatchObject({ code: 'E_SUPERVISOR_STOPPED' });
  expect(await run.exited).toMatchObject({ reason: 'released', exitCode: null });
  await expectNeverSignalled(identity, signals); // leave signals nothing
  // The next supervisor takes over and ends it, cleaning up after this test.
  const next = await create({ home: dir });
  expect(next.lastReconcile?.killed).toEqual([run.id]);
  expect(next.lastReconcile?.lost).toHaveLength(1); // the spawn in flight never started
  expect(liveMarked(run.id)).toEqual([]);
});

test('output offsets reach the record within a second, so a restart continues them', async () => {
  const dir = home();
  const first = await create({ home: dir });
  const run = await first.spawn({
    command: 'sh',
    args: ['-c', 'echo 0123456789; sleep 30'],
    onOrphan: 'reattach',
  });
  await waitUntil(() => run.info().outputBytes === 11, 5000, 'output');
  await waitUntil(
    async () =>
      (
        (await withRecords(dir, (store) => store.get(store.runKey(run.id)).catch(() => null))) as {
          snapshot?: { context?: { outputBytes?: number } };
        } | null
      )?.snapshot?.context?.outputBytes === 11,
    5000,
    'the offset on disk',
  );
  await first.shutdown({ runs: 'leave' });
  const second = await create({ home: dir });
  const again = second.handle(run.id);
  expect(again?.output({ since: 11 })).toMatchObject({ offset: 11, nextOffset: 11 });
  await again?.cancel();
});

test('two supervisors of one name booting at the same moment: exactly one wins', async () => {
  const dir = home();
  for (let round = 0; round < 5; round++) {
    const results = await Promise.allSettled([
      create({ home: dir }),
      create({ home: dir }),
      create({ home: dir }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(won).toHaveLength(1);
    for (const r of refused) expect(r.reason).toBeInstanceOf(SupervisorBusyError);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof create>>>).value.shutdown();
  }
});
