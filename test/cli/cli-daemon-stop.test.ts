// Stopping the built daemon: a second SIGTERM or SIGINT during the drain neither kills it
// nor cuts the drain short; `status` names a store without its credentials.
import { join } from 'node:path';
import { expect, inject, test } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { postgresService } from '../support/machine-requirements.js';
import { readIdentity } from '../../src/os/process-identity.js';
import { httpCall } from '../support/http-request.js';
import { liveMarked } from '../support/process-checks.js';
import { callJson } from '../support/raw-request.js';
import { testNeeding } from '../support/requirements.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups, tempHome } = useBuiltCli('runwarden-stop-');

test('a second SIGTERM and a SIGINT during the drain: the drain goes on, the daemon exits 0', async () => {
  const home = tempHome();
  const socket = join(home, 'default.sock');
  const { daemon } = await startDaemon(home);
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    daemon.once('exit', (code, signal) => {
      resolve([code, signal]);
    }),
  );
  cleanups.push(() => stopDaemon(daemon, 'SIGKILL'));
  // Ignores SIGTERM: the drain lasts its kill grace, then SIGKILL ends it.
  const id = (
    await runCli(home, [
      'run',
      '--',
      'sh',
      '-c',
      "trap '' TERM; echo ready; while :; do sleep 1; done",
    ])
  ).stdout.trim();
  await waitUntil(
    async () => (await runCli(home, ['logs', id])).stdout === 'ready\n',
    10_000,
    'the trap in place',
  );
  daemon.kill('SIGTERM');
  const state = async () =>
    ((await callJson(socket, 'GET', '/v1/status')).body as { state: string }).state;
  await waitUntil(async () => (await state()) === 'draining', 10_000, 'the drain');
  daemon.kill('SIGTERM');
  daemon.kill('SIGINT');
  // Still draining, still answering: the signals did not end it.
  await waitUntil(async () => (await state()) === 'draining', 10_000, 'the drain to go on');
  expect(
    ((await callJson(socket, 'GET', `/v1/runs/${id}`)).body as { run: RunInfo }).run.state,
  ).toBe('finalizing');
  expect(await exited).toEqual([0, null]);
  expect(liveMarked(id)).toEqual([]);
}, 60_000);

testNeeding(postgresService())(
  'status names the store without its password',
  async () => {
    const home = tempHome();
    const url = new URL(inject('postgresUrl') ?? '');
    // The throwaway cluster trusts loopback: any password is accepted, and must not show.
    url.password = 'hunter2-secret';
    const { daemon } = await startDaemon(home, ['--store', url.href]);
    cleanups.push(async () => {
      expect(await stopDaemon(daemon)).toBe(0);
    });
    const words = await runCli(home, ['status']);
    const json = await runCli(home, ['status', '--json']);
    for (const out of [words.stdout, json.stdout]) {
      expect(out).not.toContain('hunter2-secret');
      expect(out).toContain(`postgres://runwarden:***@127.0.0.1:${url.port}/postgres`);
    }
  },
  60_000,
);

test('runwarden stop ends the live runs; stop --leave leaves them to the next daemon', async () => {
  const home = tempHome();
  const first = await startDaemon(home);
  cleanups.push(() => stopDaemon(first.daemon, 'SIGKILL'));
  const ended = (await runCli(home, ['run', '--', 'sleep', '60'])).stdout.trim();
  await waitUntil(() => liveMarked(ended).length === 1, 10_000, 'the first run');
  const stopped = await runCli(home, ['stop', '--json']);
  // It returned only once the daemon was gone.
  expect(readIdentity(first.daemon.pid ?? -1)).toBeUndefined();
  expect(stopped).toMatchObject({ code: 0, stderr: '' });
  expect(JSON.parse(stopped.stdout)).toEqual({
    stopped: true,
    pid: first.daemon.pid,
    runs: 'kill',
  });
  // It returned once the daemon was gone, its run ended and recorded.
  expect(first.daemon.exitCode ?? (await new Promise((r) => first.daemon.once('exit', r)))).toBe(0);
  expect(liveMarked(ended)).toEqual([]);

  const second = await startDaemon(home);
  cleanups.push(() => stopDaemon(second.daemon, 'SIGKILL'));
  const shown = JSON.parse((await runCli(home, ['show', ended, '--json'])).stdout) as RunInfo;
  expect(shown.exit?.reason).toBe('shutdown');
  const left = (await runCli(home, ['run', '--', 'sleep', '60'])).stdout.trim();
  await waitUntil(() => liveMarked(left).length === 1, 10_000, 'the second run');
  const [pid] = liveMarked(left);
  const words = await runCli(home, ['stop', '--leave']);
  expect(words).toMatchObject({
    code: 0,
    stdout: `daemon ${String(second.daemon.pid)} stopped (runs: left running)\n`,
  });
  expect(liveMarked(left)).toEqual([pid]);

  // The next daemon adopts it (reattach, as this run asked) and stop ends it.
  const third = await startDaemon(home, ['--on-orphan', 'reattach']);
  cleanups.push(() => stopDaemon(third.daemon, 'SIGKILL'));
  expect(third.report).toMatchObject({ reattached: [left] });
  expect((await runCli(home, ['stop'])).code).toBe(0);
  expect(liveMarked(left)).toEqual([]);
  expect((await runCli(home, ['stop'])).stderr).toContain('not running');
}, 90_000);

test("without --leave, stop follows the daemon's --on-shutdown; the dashboard cannot stop it", async () => {
  const home = tempHome();
  const { daemon, printed } = await startDaemon(home, [
    '--on-shutdown',
    'leave',
    '--http',
    '127.0.0.1:0',
  ]);
  cleanups.push(() => stopDaemon(daemon, 'SIGKILL'));
  const [, url = ''] =
    /^dashboard: (\S+) \(token in /.exec(printed.find((l) => l.startsWith('dashboard: ')) ?? '') ??
    [];
  const base = new URL(url);
  const token = base.searchParams.get('token') ?? '';
  const refused = await httpCall(`${base.origin}/v1/shutdown`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(refused.status).toBe(404);
  expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'E_NO_ROUTE' } });

  const id = (await runCli(home, ['run', '--', 'sleep', '60'])).stdout.trim();
  await waitUntil(() => liveMarked(id).length === 1, 10_000, 'the run');
  const [pid] = liveMarked(id);
  const stopped = await runCli(home, ['stop', '--json']);
  expect(JSON.parse(stopped.stdout)).toEqual({ stopped: true, pid: daemon.pid, runs: 'leave' });
  expect(liveMarked(id)).toEqual([pid]);
  // The next daemon ends it (kill policy by default).
  const next = await startDaemon(home);
  cleanups.push(async () => {
    expect(await stopDaemon(next.daemon)).toBe(0);
  });
  expect(next.report).toMatchObject({ killed: [id] });
  expect(liveMarked(id)).toEqual([]);
}, 90_000);
