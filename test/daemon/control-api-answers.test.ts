// The control API's refusals, produced for real by the built daemon and read over its Unix
// socket, with the built CLI as a client: 409 E_RUN_NOT_LIVE, 429 E_MAX_LIVE_RUNS (with
// --max-live-runs) and 503 E_SUPERVISOR_STOPPED while a stopping daemon drains.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { RunExit, RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { liveMarked } from '../support/process-checks.js';
import { callJson } from '../support/raw-request.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups, tempHome } = useBuiltCli('runwarden-answers-');

async function spawnRun(socket: string, spec: Record<string, unknown>): Promise<RunInfo> {
  const answer = await callJson(socket, 'POST', '/v1/runs', { spec });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return (answer.body as { run: RunInfo }).run;
}

async function runOf(socket: string, id: string): Promise<RunInfo> {
  return ((await callJson(socket, 'GET', `/v1/runs/${id}`)).body as { run: RunInfo }).run;
}

const refusal = (status: number, code: string, message: RegExp) => ({
  status,
  body: { error: { code, message: expect.stringMatching(message) as string } },
});

test('409 E_RUN_NOT_LIVE: input and resize to a finished run, before and after a restart', async () => {
  const home = tempHome();
  const socket = join(home, 'default.sock');
  const first = await startDaemon(home);
  cleanups.push(async () => {
    expect(await stopDaemon(first.daemon)).toBe(0);
  });
  const { id } = await spawnRun(socket, { mode: 'pty', command: 'sh', args: ['-c', 'exit 3'] });
  await waitUntil(async () => (await runOf(socket, id)).state === 'done', 10_000, 'the exit');

  const input = await callJson(socket, 'POST', `/v1/runs/${id}/input`, { data: 'x' });
  expect(input).toEqual(refusal(409, 'E_RUN_NOT_LIVE', /cannot write to run .* it is done/));
  const resize = await callJson(socket, 'POST', `/v1/runs/${id}/resize`, { cols: 90, rows: 30 });
  expect(resize).toEqual(refusal(409, 'E_RUN_NOT_LIVE', /cannot resize run .* it is done/));
  // Cancel is no refusal: it answers the exit the run already has.
  const recorded = (await runOf(socket, id)).exit;
  expect(recorded).toMatchObject({ reason: 'exit', exitCode: 3 });
  expect(await callJson(socket, 'POST', `/v1/runs/${id}/cancel`)).toEqual({
    status: 200,
    body: { exit: recorded as RunExit },
  });
  const sent = await runCli(home, ['send', id, 'x']);
  expect(sent.code).toBe(1);
  expect(sent.stderr).toMatch(/^runwarden: cannot write to run .*\(E_RUN_NOT_LIVE\)\n$/);

  // A daemon that never held the run (it knows the record only) refuses the same way.
  expect(await stopDaemon(first.daemon)).toBe(0);
  const second = await startDaemon(home);
  cleanups.push(async () => {
    expect(await stopDaemon(second.daemon)).toBe(0);
  });
  expect((await runOf(socket, id)).exit).toEqual(recorded);
  expect(await callJson(socket, 'POST', `/v1/runs/${id}/input`, { data: 'x' })).toEqual(
    refusal(409, 'E_RUN_NOT_LIVE', /has no input any more/),
  );
  expect(await callJson(socket, 'POST', `/v1/runs/${id}/resize`, { cols: 90, rows: 30 })).toEqual(
    refusal(409, 'E_RUN_NOT_LIVE', /has no terminal any more/),
  );
});

test('429 E_MAX_LIVE_RUNS beyond --max-live-runs; a finished run frees its place', async () => {
  const home = tempHome();
  const socket = join(home, 'default.sock');
  const { daemon } = await startDaemon(home, ['--max-live-runs', '2']);
  cleanups.push(async () => {
    expect(await stopDaemon(daemon)).toBe(0);
  });
  const sleeper = { command: 'sleep', args: ['60'] };
  const first = await spawnRun(socket, sleeper);
  await spawnRun(socket, sleeper);

  const refused = await callJson(socket, 'POST', '/v1/runs', { spec: sleeper });
  expect(refused).toEqual(refusal(429, 'E_MAX_LIVE_RUNS', /limits\.maxLiveRuns \(2\)/));
  const cli = await runCli(home, ['run', '--', 'sleep', '60']);
  expect(cli.code).toBe(1);
  expect(cli.stderr).toMatch(/^runwarden: limits\.maxLiveRuns \(2\).*\(E_MAX_LIVE_RUNS\)\n$/);
  // A refused spawn leaves no run behind.
  const all = (await callJson(socket, 'GET', '/v1/runs?all=true')).body as { runs: RunInfo[] };
  expect(all.runs).toHaveLength(2);

  expect((await runCli(home, ['kill', first.id])).stdout).toBe('cancelled\n');
  const third = await runCli(home, ['run', '--', 'sleep', '60']);
  expect(third.code).toBe(0);
  expect((await runOf(socket, third.stdout.trim())).state).toBe('running');
});

test('--max-live-runs must be a whole number of at least 1', async () => {
  const home = tempHome();
  for (const bad of ['0', '-1', 'many', '2.5']) {
    const result = await runCli(home, ['daemon', '--max-live-runs', bad]);
    expect(result.code, bad).toBe(2);
    expect(result.stderr).toContain('invalid count for --max-live-runs');
  }
});

test('503 E_SUPERVISOR_STOPPED while a stopping daemon drains its runs', async () => {
  const home = tempHome();
  const socket = join(home, 'default.sock');
  const { daemon } = await startDaemon(home);
  const exited = new Promise<number | null>((resolve) => daemon.once('exit', resolve));
  cleanups.push(() => stopDaemon(daemon, 'SIGKILL'));
  // Ignores SIGTERM: the drain lasts its whole kill grace (30 s, room for the polling, the
  // request and a cold CLI below even on busy cores) and ends by SIGKILL.
  const stubborn = await spawnRun(socket, {
    command: 'sh',
    args: ['-c', "trap '' TERM; echo ready; while :; do sleep 1; done"],
    killGraceMs: 30_000,
  });
  await waitUntil(
    async () => {
      const body = (await callJson(socket, 'GET', `/v1/runs/${stubborn.id}/output`)).body;
      return Buffer.from((body as { data: string }).data, 'base64').toString() === 'ready\n';
    },
    10_000,
    'the trap in place',
  );
  daemon.kill('SIGTERM');
  await waitUntil(
    async () =>
      ((await callJson(socket, 'GET', '/v1/status')).body as { state: string }).state ===
      'draining',
    10_000,
    'the daemon to drain',
  );
  const draining = await callJson(socket, 'POST', '/v1/runs', { spec: { command: 'true' } });
  expect(draining).toEqual(refusal(503, 'E_SUPERVISOR_STOPPED', /shutting down/));
  const cli = await runCli(home, ['run', '--', 'true']);
  expect(cli.code).toBe(1);
  expect(cli.stderr).toMatch(
    /^runwarden: the supervisor is shutting down.*\(E_SUPERVISOR_STOPPED\)\n$/,
  );
  // The run is still followed while it drains; then the daemon exits cleanly.
  expect((await runOf(socket, stubborn.id)).state).toBe('finalizing');
  expect(await exited).toBe(0);
  expect(liveMarked(stubborn.id)).toEqual([]);
}, 90_000);
