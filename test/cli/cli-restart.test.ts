// End to end across daemon crashes: SIGKILL the daemon, restart it, and the surviving run
// is killed (default) or reattached; `reconcile` works with and without a daemon; `demo`.
import { spawn } from 'node:child_process';
import { expect, test } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon, type DaemonProcess } from '../support/cli.js';
import { liveMarked } from '../support/process-checks.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups } = useBuiltCli('runwarden-cli-');

const SURVIVOR = "trap '' HUP; (sleep 71 &); (setsid sleep 72 &); sleep 73; exit 0";

async function homeWithDaemon(
  args: string[] = [],
): Promise<{ home: string; daemon: DaemonProcess }> {
  const home = createTempHome('runwarden-restart-');
  cleanups.push(home.remove);
  return { home: home.path, daemon: await daemon(home.path, args) };
}

async function daemon(home: string, args: string[] = []): Promise<DaemonProcess> {
  const started = await startDaemon(home, args);
  // Null only when the test SIGKILLed it itself (stopDaemon rejects any other signal).
  cleanups.push(async () => {
    expect(await stopDaemon(started.daemon)).toBe(
      started.daemon.signalCode === 'SIGKILL' ? null : 0,
    );
  });
  return started.daemon;
}

async function startSurvivor(home: string, extra: string[] = []): Promise<string> {
  const id = (
    await runCli(home, ['run', '--pty', ...extra, '--', 'bash', '-c', SURVIVOR])
  ).stdout.trim();
  await waitUntil(() => liveMarked(id).length >= 4, 10_000, 'the run tree');
  return id;
}

test('SIGKILL of the daemon, then a restart: the surviving tree is killed (default)', async () => {
  const { home, daemon: first } = await homeWithDaemon();
  const id = await startSurvivor(home);
  expect(await stopDaemon(first, 'SIGKILL')).toBeNull();
  expect(liveMarked(id).length).toBeGreaterThanOrEqual(4); // the orphan tree lives on
  const { report } = await startDaemon(home).then((started) => {
    cleanups.push(async () => {
      expect(await stopDaemon(started.daemon)).toBe(0);
    });
    return started;
  });
  expect(report).toMatchObject({ killed: [id] });
  expect(liveMarked(id)).toEqual([]);
  const info = JSON.parse((await runCli(home, ['show', id, '--json'])).stdout) as RunInfo;
  expect(info.exit?.reason).toBe('orphan-killed');
}, 60_000);

test('with --on-orphan reattach the restarted daemon tracks the run, and kill still works', async () => {
  const { home, daemon: first } = await homeWithDaemon();
  const id = await startSurvivor(home, ['--on-orphan', 'reattach']);
  expect(await stopDaemon(first, 'SIGKILL')).toBeNull();
  await daemon(home);
  const ls = await runCli(home, ['ls', '--json']);
  expect(JSON.parse(ls.stdout)).toMatchObject([{ id, state: 'running' }]);
  const killed = await runCli(home, ['kill', id]);
  expect(killed.stdout.trim()).toBe('cancelled');
  expect(liveMarked(id)).toEqual([]);
}, 60_000);

test('a daemon started with --on-orphan reattach adopts runs that set no policy', async () => {
  const { home, daemon: first } = await homeWithDaemon();
  const id = await startSurvivor(home);
  expect(await stopDaemon(first, 'SIGKILL')).toBeNull();
  const { report } = await startDaemon(home, ['--on-orphan', 'reattach']).then((started) => {
    cleanups.push(async () => {
      expect(await stopDaemon(started.daemon)).toBe(0);
    });
    return started;
  });
  expect(report).toMatchObject({ reattached: [id] });
  await runCli(home, ['kill', id]);
  expect(liveMarked(id)).toEqual([]);
}, 60_000);

test('reconcile --dry-run with no daemon reports, signals nothing; a real reconcile then kills', async () => {
  const { home, daemon: first } = await homeWithDaemon();
  const id = await startSurvivor(home);
  expect(await stopDaemon(first, 'SIGKILL')).toBeNull();
  const dry = await runCli(home, ['reconcile', '--dry-run', '--json']);
  expect(dry.code).toBe(0);
  expect(JSON.parse(dry.stdout)).toMatchObject({ source: 'store', dryRun: true, killed: [id] });
  expect(liveMarked(id).length).toBeGreaterThanOrEqual(4);
  const real = await runCli(home, ['reconcile']);
  expect(real.code).toBe(0);
  expect(real.stdout).toContain(`killed:          ${id}`);
  expect(liveMarked(id)).toEqual([]);
}, 60_000);

test('reconcile through a running daemon ends escapees of finished runs', async () => {
  const { home } = await homeWithDaemon();
  const id = (await runCli(home, ['run', '--', 'true'])).stdout.trim();
  await waitUntil(
    async () =>
      (JSON.parse((await runCli(home, ['show', id, '--json'])).stdout) as RunInfo).state === 'done',
    10_000,
    'the run to end',
  );
  // A process that escaped the finished run (it carries the run's marker).
  const escapee = spawn('sleep', ['30'], {
    detached: true,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      RUNWARDEN_RUN_ID: id,
      RUNWARDEN_TEST_SUITE: process.env.RUNWARDEN_TEST_SUITE, // for the suite's leak check
    },
  });
  cleanups.push(() => {
    if (escapee.exitCode === null && escapee.signalCode === null) escapee.kill('SIGKILL');
  });
  await waitUntil(() => liveMarked(id).length === 1, 10_000, 'the escapee');
  const dry = JSON.parse((await runCli(home, ['reconcile', '--dry-run', '--json'])).stdout) as {
    escapeesKilled: unknown[];
  };
  expect(dry.escapeesKilled).toEqual([{ runId: id, pid: escapee.pid }]);
  expect(liveMarked(id)).toHaveLength(1);
  const result = await runCli(home, ['reconcile', '--json']);
  expect(JSON.parse(result.stdout)).toMatchObject({
    source: 'daemon',
    dryRun: false,
    escapeesKilled: [{ runId: id, pid: escapee.pid }],
  });
  expect(liveMarked(id)).toEqual([]);
}, 60_000);

test('demo tells the story and leaves nothing behind', async () => {
  const home = createTempHome('runwarden-demo-test-');
  cleanups.push(home.remove);
  const demo = await runCli(home.path, ['demo'], 60_000);
  expect(demo.code).toBe(0);
  const survived = Number(/(\d+) processes of its run survive/.exec(demo.stdout)?.[1]);
  expect(survived).toBeGreaterThanOrEqual(3);
  expect(demo.stdout).toMatch(/reason orphan-killed/);
  expect(demo.stdout).toContain('nothing leaked.');
}, 90_000);

test('SIGTERM stops the daemon gracefully: runs are finalized, or left with --on-shutdown leave', async () => {
  const { home, daemon: first } = await homeWithDaemon();
  const killed = (await runCli(home, ['run', '--', 'sleep', '30'])).stdout.trim();
  expect(await stopDaemon(first, 'SIGTERM')).toBe(0);
  expect(liveMarked(killed)).toEqual([]);

  const second = await daemon(home, ['--on-shutdown', 'leave']);
  const left = (
    await runCli(home, ['run', '--on-orphan', 'reattach', '--', 'sleep', '30'])
  ).stdout.trim();
  expect(await stopDaemon(second, 'SIGINT')).toBe(0);
  expect(liveMarked(left)).toHaveLength(1); // handed to the next boot, not signalled
  const { report } = await startDaemon(home).then((started) => {
    cleanups.push(async () => {
      expect(await stopDaemon(started.daemon)).toBe(0);
    });
    return started;
  });
  expect(report).toMatchObject({ reattached: [left] });
  await runCli(home, ['kill', left]);
  expect(liveMarked(left)).toEqual([]);
}, 60_000);
