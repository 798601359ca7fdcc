// Boots over records that name processes this supervisor must never signal: a reused pid,
// a record of an earlier boot or of another host, markers of runs the store does not know.
// Each such process is a signal recorder (test/fixtures/signal-recorder.mjs), judged after
// the supervisor has shut down and a wait: same pid and start time, alive, neither a
// zombie nor stopped, and not one signal received.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { RunHandle } from '../../src/index.js';
import { checkIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import {
  expectNeverSignalled,
  liveMarked,
  recorderSpec,
  startBystander,
  waitRecorderReady,
  type Bystander,
} from '../support/process-checks.js';
import { editRecord, withRecords } from '../support/record-editor.js';
import { uniqueRunId } from '../support/spawn-tree.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const create = useSupervisors();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function home(): string {
  const temp = createTempHome();
  cleanups.push(temp.remove);
  return temp.path;
}

async function bystander(options: Parameters<typeof startBystander>[0] = {}): Promise<Bystander> {
  const started = await startBystander(options);
  cleanups.push(() => started.stop());
  return started;
}

/** Ends a run's root from outside (by verified identity) and waits. */
async function killRoot(run: RunHandle): Promise<void> {
  const identity = run.info().identity;
  if (identity === null) throw new Error('no identity recorded');
  signalVerified(identity, 'SIGKILL');
  await waitUntil(() => checkIdentity(identity) !== 'alive', 5000, 'the root to die');
}

/** A run whose own process is a signal recorder, left running by a `leave` shutdown. */
async function leftRecorder(dir: string): Promise<{ run: RunHandle; signals: string }> {
  const first = await create({ home: dir });
  const signals = join(dir, 'signals');
  const run = await first.spawn({ ...recorderSpec(signals), killGraceMs: 200 });
  expect(await waitRecorderReady(signals)).toEqual(run.info().identity);
  await first.shutdown({ runs: 'leave' });
  cleanups.push(() => killRoot(run));
  return { run, signals };
}

test('PID reuse: a record whose pid now names an unrelated process never signals it', async () => {
  const dir = home();
  const first = await create({ home: dir });
  const run = await first.spawn({ command: 'sleep', args: ['30'] });
  await first.shutdown({ runs: 'leave' });
  await killRoot(run);
  // An unrelated process (no marker) now holds the pid the record names.
  const other = await bystander();
  await editRecord(dir, run.id, (record) => {
    const context = (record.snapshot as { context: { pid: number; identity: { pid: number } } })
      .context;
    context.pid = other.identity.pid;
    context.identity.pid = other.identity.pid;
  });
  const second = await create({ home: dir });
  expect(second.lastReconcile?.lost).toEqual([run.id]);
  await second.shutdown();
  await other.expectNeverSignalled();
});

test('a record from an earlier boot of this host is lost without any signal', async () => {
  const dir = home();
  const { run, signals } = await leftRecorder(dir);
  await editRecord(dir, run.id, (record) => {
    record.bootId = 'an-earlier-boot';
    const identity = (record.snapshot as { context: { identity: { bootId: string } } }).context
      .identity;
    identity.bootId = 'an-earlier-boot';
  });
  const second = await create({ home: dir });
  expect(second.lastReconcile?.lost).toEqual([run.id]);
  expect(second.lastReconcile?.escapeesKilled).toEqual([]);
  await second.shutdown();
  // The process really is still running (the record lied about the boot): untouched.
  const identity = run.info().identity;
  if (identity === null) throw new Error('no identity recorded');
  await expectNeverSignalled(identity, signals);
});

test('records of another host are left untouched', async () => {
  const dir = home();
  const { run, signals } = await leftRecorder(dir);
  await editRecord(dir, run.id, (record) => {
    record.hostname = 'some-other-host';
  });
  const second = await create({ home: dir });
  expect(second.lastReconcile).toMatchObject({ otherHosts: 1, killed: [], lost: [] });
  expect(second.get(run.id)).toBeUndefined();
  await second.shutdown();
  const identity = run.info().identity;
  if (identity === null) throw new Error('no identity recorded');
  await expectNeverSignalled(identity, signals);
  const stored = await withRecords(dir, (store) => store.get(store.runKey(run.id)));
  expect(stored).toMatchObject({ hostname: 'some-other-host', final: false });
});

test('escapees of an already finished run are ended at boot; unknown markers are only reported', async () => {
  const dir = home();
  const first = await create({ home: dir });
  const run = await first.spawn({ command: 'true' });
  await run.exited;
  await first.shutdown();
  const env = {
    PATH: process.env.PATH ?? '',
    RUNWARDEN_RUN_ID: run.id,
    RUNWARDEN_TEST_SUITE: process.env.RUNWARDEN_TEST_SUITE, // for the suite's leak check
  };
  const escapee = spawn('sleep', ['30'], { stdio: 'ignore', detached: true, env });
  // Our own child, not reaped while it runs: its pid is still ours to SIGKILL.
  cleanups.push(() => {
    if (escapee.exitCode === null && escapee.signalCode === null) escapee.kill('SIGKILL');
  });
  const strangerId = uniqueRunId('not-ours');
  const stranger = await bystander({ runId: strangerId });
  await waitUntil(() => liveMarked(run.id).length === 1, 5000, 'the escapee');
  const second = await create({ home: dir });
  expect(second.lastReconcile?.escapeesKilled).toEqual([{ runId: run.id, pid: escapee.pid }]);
  expect(second.lastReconcile?.unknownMarked).toContainEqual({
    runId: strangerId,
    pid: stranger.identity.pid,
  });
  await waitUntil(() => liveMarked(run.id).length === 0, 5000, 'the escapee to die');
  await second.shutdown();
  await stranger.expectNeverSignalled();
});
