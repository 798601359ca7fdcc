// End to end: the built binary, a real daemon on its own temporary home, real processes.
import { statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon, type DaemonProcess } from '../support/cli.js';
import { liveMarked } from '../support/process-checks.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups } = useBuiltCli('runwarden-cli-');

async function daemonOnTempHome(
  args: string[] = [],
): Promise<{ home: string; daemon: DaemonProcess }> {
  const home = createTempHome('runwarden-cli-');
  cleanups.push(home.remove);
  const { daemon } = await startDaemon(home.path, args);
  cleanups.push(async () => {
    expect(await stopDaemon(daemon)).toBe(0);
  });
  return { home: home.path, daemon };
}

test('run, ls, show, logs with offsets, send and kill through the daemon', async () => {
  const { home } = await daemonOnTempHome();
  expect((statSync(join(home, 'default.sock')).mode & 0o777).toString(8)).toBe('600');
  expect((statSync(home).mode & 0o777).toString(8)).toBe('700');

  const started = await runCli(home, [
    'run',
    '--scope',
    'tools',
    '--',
    'sh',
    '-c',
    'echo first; read line; echo "got $line"; sleep 30',
  ]);
  expect(started.code).toBe(0);
  const id = started.stdout.trim();
  await waitUntil(
    async () => (await runCli(home, ['logs', id])).stdout.includes('first'),
    10_000,
    'first line',
  );

  const ls = await runCli(home, ['ls']);
  expect(ls.stdout).toMatch(new RegExp(`${id}\\s+running\\s+\\d+\\s+child\\s+tools`));
  const shown = JSON.parse((await runCli(home, ['show', id, '--json'])).stdout) as RunInfo;
  expect(shown).toMatchObject({ id, state: 'running', scopeKey: 'tools', mode: 'child' });

  const firstLogs = await runCli(home, ['logs', id]);
  const next = Number(/next offset: (\d+)/.exec(firstLogs.stderr)?.[1]);
  expect(firstLogs.stdout).toBe('first\n');
  expect(next).toBe(6);

  expect((await runCli(home, ['send', id, 'hello\n'])).code).toBe(0);
  await waitUntil(
    async () =>
      (await runCli(home, ['logs', id, '--since', String(next)])).stdout === 'got hello\n',
    10_000,
    'the reply after the offset',
  );

  const killed = await runCli(home, ['kill', id, '--json']);
  expect(JSON.parse(killed.stdout)).toMatchObject([{ reason: 'cancelled', forced: false }]);
  expect(liveMarked(id)).toEqual([]);
  expect((await runCli(home, ['ls'])).stdout).not.toContain(id);
  expect((await runCli(home, ['ls', '--all'])).stdout).toMatch(
    new RegExp(`${id}\\s+done \\(cancelled\\)`),
  );
}, 60_000);

test('a PTY run, and scope replacement through the CLI', async () => {
  const { home } = await daemonOnTempHome();
  const first = (
    await runCli(home, ['run', '--pty', '--scope', 's', '--', 'sleep', '30'])
  ).stdout.trim();
  const second = (
    await runCli(home, ['run', '--pty', '--scope', 's', '--replace', '--json', '--', 'sleep', '30'])
  ).stdout;
  const record = JSON.parse(second) as RunInfo;
  expect(record).toMatchObject({
    mode: 'pty',
    state: 'running',
    scopeKey: 's',
    replaceExistingScope: true,
  });
  const firstInfo = JSON.parse((await runCli(home, ['show', first, '--json'])).stdout) as RunInfo;
  expect(firstInfo.exit?.reason).toBe('replaced');
  expect(liveMarked(first)).toEqual([]);
  const byScope = await runCli(home, ['kill', '--scope', 's']);
  expect(byScope.stdout.trim()).toBe('cancelled');
});

test('logs --follow streams until the run ends', async () => {
  const { home } = await daemonOnTempHome();
  const id = (
    await runCli(home, ['run', '--', 'sh', '-c', 'for i in 1 2 3; do echo $i; sleep 0.2; done'])
  ).stdout.trim();
  const followed = await runCli(home, ['logs', id, '--follow']);
  expect(followed.code).toBe(0);
  expect(followed.stdout).toBe('1\n2\n3\n');
  expect(followed.stderr).toContain('run ended: exit');
});

test('timeouts and environment options reach the run', async () => {
  const { home } = await daemonOnTempHome();
  // The deadline is seconds away, so the echo lands before it however busy the machine is:
  // the output check below never races the timeout.
  const id = (
    await runCli(home, [
      'run',
      '--timeout',
      '4s',
      '--env',
      'GREETING=hi there',
      '--',
      'sh',
      '-c',
      'echo "$GREETING"; sleep 30',
    ])
  ).stdout.trim();
  await waitUntil(
    async () => (await runCli(home, ['logs', id])).stdout === 'hi there\n',
    10_000,
    'the greeting, before the deadline',
  );
  const ended = await waitUntil(
    async () => {
      const run = JSON.parse((await runCli(home, ['show', id, '--json'])).stdout) as RunInfo;
      return run.state === 'done' && run;
    },
    20_000,
    'the timeout',
  );
  expect(ended).toMatchObject({
    timeoutMs: 4000,
    env: { GREETING: 'hi there' },
    exit: { reason: 'timeout', timedOut: true },
  });
  // Ended by its deadline, not before it.
  expect(ended.exit?.durationMs).toBeGreaterThanOrEqual(4000);
  expect((await runCli(home, ['logs', id])).stdout).toBe('hi there\n');
  const noOutput = (
    await runCli(home, ['run', '--no-output-timeout', '1s', '--', 'sleep', '30'])
  ).stdout.trim();
  const silent = await waitUntil(
    async () => {
      const run = JSON.parse((await runCli(home, ['show', noOutput, '--json'])).stdout) as RunInfo;
      return run.state === 'done' && run;
    },
    20_000,
    'the no-output timeout',
  );
  expect(silent.exit).toMatchObject({ reason: 'no-output-timeout', noOutputTimedOut: true });
  expect(silent.exit?.durationMs).toBeGreaterThanOrEqual(1000);
}, 60_000);

test('usage errors exit 2, failures exit 1, each with one clear line', async () => {
  const { home } = await daemonOnTempHome();
  const badDuration = await runCli(home, ['run', '--timeout', '5 minutes', '--', 'true']);
  expect(badDuration).toMatchObject({ code: 2 });
  expect(badDuration.stderr).toContain('invalid duration for --timeout');
  expect((await runCli(home, ['frobnicate'])).code).toBe(2);
  expect((await runCli(home, ['kill'])).code).toBe(2);
  expect((await runCli(home, ['run', '--env', 'NOEQUALS', '--', 'true'])).code).toBe(2);
  const unknown = await runCli(home, ['show', 'no-such-run']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr.trim()).toMatch(/^runwarden: no run with id "no-such-run".*E_UNKNOWN_RUN/);
  const help = await runCli(home, ['run', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('--no-output-timeout');
});

test('without a daemon: a clear error naming the socket and how to start it', async () => {
  const home = createTempHome('runwarden-cli-');
  cleanups.push(home.remove);
  const result = await runCli(home.path, ['ls']);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`no daemon on ${join(home.path, 'default.sock')}`);
  expect(result.stderr).toContain(`runwarden daemon --home ${home.path}`);
});

test('a second daemon on the same home fails clearly; the first keeps serving', async () => {
  const { home } = await daemonOnTempHome();
  const second = await runCli(home, ['daemon'], 15_000);
  expect(second.code).toBe(1);
  expect(second.stderr).toMatch(/already owned by live pid \d+/);
  expect((await runCli(home, ['ls'])).code).toBe(0);
});

test('the control API answers malformed requests with 400 and a message, and keeps serving', async () => {
  const { home } = await daemonOnTempHome();
  const socketPath = join(home, 'default.sock');
  const call = (method: string, path: string, body?: string) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = httpRequest(
        { socketPath, method, path, headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 0,
              body: text === '' ? null : (JSON.parse(text) as unknown),
            });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  expect(await call('POST', '/v1/runs', '{not json')).toMatchObject({
    status: 400,
    body: { error: { code: 'E_BAD_JSON' } },
  });
  expect(await call('POST', '/v1/runs', '{"spec": 5}')).toMatchObject({
    status: 400,
    body: { error: { code: 'E_BAD_REQUEST' } },
  });
  expect(
    await call('POST', '/v1/runs', '{"spec": {"command": "true", "timeoutMs": -1}}'),
  ).toMatchObject({
    status: 400,
    body: {
      error: { code: 'E_INVALID_OPTION', message: expect.stringContaining('timeoutMs') as string },
    },
  });
  expect(await call('GET', '/v1/runs/nope/output?since=abc')).toMatchObject({ status: 404 });
  expect(await call('DELETE', '/v1/everything')).toMatchObject({
    status: 404,
    body: { error: { code: 'E_NO_ROUTE' } },
  });
  expect(await call('POST', '/v1/reconcile', '{"dryRun": "yes"}')).toMatchObject({ status: 400 });
  expect(
    await call(
      'POST',
      '/v1/runs',
      JSON.stringify({ spec: { command: 'x'.repeat(2 * 1024 * 1024) } }),
    ),
  ).toMatchObject({ status: 413 });
  expect(await call('GET', '/v1/status')).toMatchObject({
    status: 200,
    body: { name: 'default', state: 'active' },
  });
});
