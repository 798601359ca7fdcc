// Crash tests: a real supervisor in its own process is SIGKILLed at each dangerous moment;
// a new supervisor on the same store must leave nothing behind (kill) or track the run (reattach).
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createSupervisor, SupervisorBusyError, type Supervisor } from '../../src/index.js';
import { liveMarked } from '../support/process-checks.js';
import { assertFreshBuild, killHost, startCrashHost } from '../support/crash-host.js';
import { withRecords } from '../support/record-editor.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

beforeAll(() => {
  assertFreshBuild();
});

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function crashAt(point: string, policy: 'kill' | 'reattach') {
  const home = createTempHome('runwarden-crash-');
  cleanups.push(home.remove);
  const host = startCrashHost(home.path, point, policy);
  cleanups.push(() => killHost(host.child));
  const reached = await host.reached;
  if (point !== 'before-spawn') {
    // The whole tree exists before the crash: root, the setsid one, the double-forked one.
    await waitUntil(() => liveMarked(reached.runId ?? '').length >= 3, 5000, 'the run tree');
  }
  await killHost(host.child);
  return { home: home.path, runId: reached.runId ?? '' };
}

async function boot(home: string, policy: 'kill' | 'reattach'): Promise<Supervisor> {
  const sup = await createSupervisor({ home, onOrphan: policy });
  cleanups.push(() => sup.shutdown());
  return sup;
}

async function expectAllFinal(home: string): Promise<void> {
  const records = await withRecords(home, (store) => store.readAll());
  expect(records.length).toBeGreaterThan(0);
  for (const record of records) expect(record.value).toMatchObject({ final: true });
}

describe.each(['kill', 'reattach'] as const)('onOrphan %s', (policy) => {
  test('crash after the write-ahead record, before spawn: the run is lost, nothing ran', async () => {
    const { home, runId } = await crashAt('before-spawn', policy);
    expect(liveMarked(runId)).toEqual([]);
    const sup = await boot(home, policy);
    expect(sup.lastReconcile?.lost).toEqual([runId]);
    expect(sup.get(runId)?.exit?.reason).toBe('lost');
    await expectAllFinal(home);
  });

  test('crash after spawn, before the identity is stored: resolved through the marker sweep', async () => {
    const { home, runId } = await crashAt('before-identity', policy);
    const sup = await boot(home, policy);
    if (policy === 'kill') {
      expect(sup.lastReconcile?.killed).toEqual([runId]);
      expect(liveMarked(runId)).toEqual([]);
      await expectAllFinal(home);
    } else {
      // The earliest marked process is the root: it is watched again.
      expect(sup.lastReconcile?.reattached).toEqual([runId]);
      const run = sup.handle(runId);
      expect(run?.state).toBe('running');
      expect(run?.pid).not.toBeNull();
      expect(await run?.cancel()).toMatchObject({ reason: 'cancelled' });
      expect(liveMarked(runId)).toEqual([]);
    }
  });

  test('crash while running', async () => {
    const { home, runId } = await crashAt('running', policy);
    const sup = await boot(home, policy);
    if (policy === 'kill') {
      expect(sup.lastReconcile?.killed).toEqual([runId]);
      expect(sup.get(runId)?.exit).toMatchObject({ reason: 'orphan-killed', survivors: [] });
      expect(liveMarked(runId)).toEqual([]);
      await expectAllFinal(home);
    } else {
      expect(sup.lastReconcile?.reattached).toEqual([runId]);
      const run = sup.handle(runId);
      expect(run?.state).toBe('running');
      // Its real end is recorded: here the whole tree is cancelled through the new supervisor.
      expect(await run?.cancel()).toMatchObject({ reason: 'cancelled', exitCode: null });
      expect(liveMarked(runId)).toEqual([]);
      await expectAllFinal(home);
    }
  });

  test('crash during finalizing: the cancellation is finished, never lost', async () => {
    const { home, runId } = await crashAt('finalizing', policy);
    const sup = await boot(home, policy);
    expect(sup.lastReconcile?.killed).toEqual([runId]);
    expect(sup.get(runId)?.exit).toMatchObject({ reason: 'cancelled', forced: true });
    expect(liveMarked(runId)).toEqual([]);
    await expectAllFinal(home);
  });
});

test('two supervisors of one name: the second is refused while the first lives, boots once it is killed', async () => {
  const home = createTempHome('runwarden-busy-');
  cleanups.push(home.remove);
  const host = startCrashHost(home.path, 'idle-host');
  cleanups.push(() => killHost(host.child));
  const booted = await host.reached;
  const refused: unknown = await createSupervisor({ home: home.path }).catch(
    (error: unknown) => error,
  );
  expect(refused).toBeInstanceOf(SupervisorBusyError);
  expect((refused as SupervisorBusyError).ownerPid).toBe(booted.pid);
  host.reached.catch(() => undefined);
  await killHost(host.child);
  const sup = await boot(home.path, 'kill');
  expect(sup.state).toBe('active');
});
