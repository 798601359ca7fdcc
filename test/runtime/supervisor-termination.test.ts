// Whole-tree termination with real processes: escapees, ignored signals, exit reasons.
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import type { SupervisorEvent } from '../../src/index.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import {
  expectNeverSignalled,
  liveMarked,
  recorderSpec,
  waitRecorderReady,
} from '../support/process-checks.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const createSupervisor = useSupervisors();
// The tree from the issue: 61 is reparented to init, 62 leaves the session, 63 ignores TERM.
const ESCAPEES = '(sleep 61 &); (setsid sleep 62 &); trap "" TERM; sleep 63';
// On a PTY, runs also get SIGHUP (interactive shells ignore SIGTERM): ignore both there.
const STUBBORN = {
  child: ESCAPEES,
  pty: '(sleep 61 &); (setsid sleep 62 &); trap "" TERM HUP; sleep 63',
};

describe.each(['pty', 'child'] as const)('%s mode', (mode) => {
  test('the escapee tree of the issue dies entirely', async () => {
    const sup = await createSupervisor();
    const run = await sup.spawn({
      mode,
      command: 'bash',
      args: ['-c', ESCAPEES],
      killGraceMs: 300,
    });
    await waitUntil(() => liveMarked(run.id).length >= 3, 5000, 'three sleeps');
    const exit = await run.cancel();
    expect(exit.survivors).toEqual([]);
    expect(liveMarked(run.id)).toEqual([]);
  });

  test('cancel ends every process of the tree, SIGKILL for the one ignoring the soft signals', async () => {
    const sup = await createSupervisor();
    const events: SupervisorEvent[] = [];
    sup.onEvent((event) => events.push(event));
    const run = await sup.spawn({
      mode,
      command: 'bash',
      args: ['-c', STUBBORN[mode]],
      killGraceMs: 300,
    });
    // All three sleeps exist (61 reparented to init, 62 in its own session, 63 ignoring TERM).
    // Counting sleeps, not processes: bash itself plus two sleeps are three too, and a
    // cancel before bash set its trap would end it by SIGTERM alone.
    const sleeps = () =>
      findMarkedProcesses(RUN_MARKER).found.filter((p) => p.value === run.id && p.comm === 'sleep');
    await waitUntil(() => sleeps().length >= 3, 5000, 'three sleeps');
    const exit = await run.cancel();
    expect(exit).toMatchObject({ reason: 'cancelled', forced: true, survivors: [] });
    expect(liveMarked(run.id)).toEqual([]);
    const sweep = events.find((e) => e.type === 'run.sweep');
    expect(sweep?.type === 'run.sweep' && sweep.pids.length).toBeGreaterThanOrEqual(3);
  });

  test('a natural exit still ends the leftovers it leaves behind', async () => {
    const sup = await createSupervisor();
    const run = await sup.spawn({
      mode,
      command: 'bash',
      args: ['-c', '(sleep 71 &); (setsid sleep 72 &); echo started'],
    });
    const exit = await run.exited;
    expect(exit.reason).toBe('exit');
    expect(exit.exitCode).toBe(0);
    expect(liveMarked(run.id)).toEqual([]);
  });

  test('a tree that exits on SIGTERM is not forced', async () => {
    const sup = await createSupervisor();
    const run = await sup.spawn({ mode, command: 'sleep', args: ['30'] });
    const exit = await run.cancel();
    expect(exit).toMatchObject({ reason: 'cancelled', forced: false });
    expect(exit.signal === 'SIGTERM' || exit.signal === 'SIGHUP').toBe(true);
  });
});

test('a process killed by a signal ends with reason signal', async () => {
  const sup = await createSupervisor();
  const run = await sup.spawn({ command: 'sh', args: ['-c', 'kill -USR1 $$'] });
  expect(await run.exited).toMatchObject({ reason: 'signal', signal: 'SIGUSR1', exitCode: null });
});

test('exit codes are reported as they are', async () => {
  const sup = await createSupervisor();
  const run = await sup.spawn({ mode: 'pty', command: 'sh', args: ['-c', 'exit 42'] });
  expect(await run.exited).toMatchObject({ reason: 'exit', exitCode: 42, signal: null });
});

test('the old tree is dead before the new one starts (scope replacement)', async () => {
  const sup = await createSupervisor();
  const order: string[] = [];
  sup.onEvent((event) => {
    if (event.type === 'run.finalized') order.push(`finalized ${event.runId}`);
    if (event.type === 'run.spawned') order.push(`spawned ${event.runId}`);
  });
  const first = await sup.spawn({
    command: 'bash',
    args: ['-c', STUBBORN.child],
    scopeKey: 'tool-slot',
    killGraceMs: 300,
  });
  await waitUntil(() => liveMarked(first.id).length >= 3, 5000, 'first tree');
  let firstAliveAtSecondSpawn: number[] = [];
  sup.onEvent((event) => {
    if (event.type === 'run.spawned' && event.runId !== first.id)
      firstAliveAtSecondSpawn = liveMarked(first.id);
  });
  const second = await sup.spawn({
    command: 'sleep',
    args: ['30'],
    scopeKey: 'tool-slot',
    replaceExistingScope: true,
  });
  expect((await first.exited).reason).toBe('replaced');
  expect(firstAliveAtSecondSpawn).toEqual([]);
  expect(order.indexOf(`finalized ${first.id}`)).toBeLessThan(
    order.indexOf(`spawned ${second.id}`),
  );
  expect(second.state).toBe('running');
  await second.cancel();
});

test('a burst of replacements in one scope is serialized and only the last one runs', async () => {
  const sup = await createSupervisor();
  const spec = {
    command: 'sleep',
    args: ['30'],
    scopeKey: 'burst',
    replaceExistingScope: true,
    killGraceMs: 200,
  };
  const first = await sup.spawn({ command: 'sleep', args: ['30'], scopeKey: 'burst' });
  const burst = await Promise.all([
    sup.spawn(spec),
    sup.spawn(spec),
    sup.spawn(spec),
    sup.spawn(spec),
  ]);
  const last = burst.at(-1);
  expect(last?.state).toBe('running');
  expect((await first.exited).reason).toBe('replaced');
  for (const run of burst.slice(0, -1)) {
    const exit = await run.exited;
    expect(exit.reason).toBe('replaced');
    expect(run.pid).toBeNull(); // never spawned
  }
  expect(
    sup.list().filter((info) => info.scopeKey === 'burst' && info.state !== 'done'),
  ).toHaveLength(1);
});

test('cancelScope finalizes every live run of the scope and nothing else', async () => {
  const temp = createTempHome();
  onTestFinished(temp.remove);
  const sup = await createSupervisor();
  const a = await sup.spawn({ command: 'sleep', args: ['30'], scopeKey: 's' });
  const b = await sup.spawn({ mode: 'pty', command: 'sleep', args: ['30'], scopeKey: 's' });
  // The run of the other scope records every signal it gets.
  const signals = join(temp.path, 'signals');
  const other = await sup.spawn({ ...recorderSpec(signals), scopeKey: 'other', killGraceMs: 200 });
  const otherIdentity = await waitRecorderReady(signals);
  const exits = await sup.cancelScope('s');
  expect(exits.map((exit) => exit.reason)).toEqual(['cancelled', 'cancelled']);
  expect(a.state).toBe('done');
  expect(b.state).toBe('done');
  expect(liveMarked(a.id)).toEqual([]);
  expect(liveMarked(b.id)).toEqual([]);
  expect(other.state).toBe('running');
  await expectNeverSignalled(otherIdentity, signals);
});

test('shutdown finalizes every live run with reason shutdown, then refuses new runs', async () => {
  const sup = await createSupervisor();
  const runs = await Promise.all([
    sup.spawn({ command: 'sleep', args: ['30'] }),
    sup.spawn({
      mode: 'pty',
      command: 'bash',
      args: ['-c', 'trap "" TERM HUP; sleep 30'],
      killGraceMs: 200,
    }),
  ]);
  await sup.shutdown();
  for (const run of runs) {
    expect((await run.exited).reason).toBe('shutdown');
    expect(liveMarked(run.id)).toEqual([]);
  }
  expect(sup.state).toBe('stopped');
  await expect(sup.spawn({ command: 'true' })).rejects.toMatchObject({
    code: 'E_SUPERVISOR_STOPPED',
  });
});
