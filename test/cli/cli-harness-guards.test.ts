// The CLI harness itself (test/support/cli.ts) guards: a CLI ended by a signal or by the
// harness's timeout, and a daemon that dies of a signal the test never sent, fail the test
// that met them instead of passing as an exit code or a clean stop.
import { afterEach, beforeAll, expect, test } from 'vitest';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { createTempHome } from '../support/temp-home.js';

beforeAll(() => {
  assertFreshBuild();
});
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempHome(): string {
  const home = createTempHome('runwarden-harness-');
  cleanups.push(home.remove);
  return home.path;
}

// With no daemon, `logs --follow` keeps trying to reach one for a minute: it is still
// running when the test signals it, and still running when a 3 s timeout ends it.
const WAITS_A_MINUTE = ['logs', 'no-such-run', '--follow'];

test('a CLI killed by a signal rejects with argv and the signal, unless the test expects it', async () => {
  const home = tempHome();
  const kill = {
    onSpawn: (child: { kill: (signal: NodeJS.Signals) => boolean }) => child.kill('SIGKILL'),
  };
  await expect(runCli(home, WAITS_A_MINUTE, kill)).rejects.toThrow(
    /runwarden \[.*"logs","no-such-run","--follow"\] was killed by SIGKILL\nstdout \(tail\)/,
  );
  // Another signal than the expected one is still a crash.
  await expect(runCli(home, WAITS_A_MINUTE, { ...kill, expectSignal: 'SIGTERM' })).rejects.toThrow(
    /was killed by SIGKILL/,
  );
  const expected = await runCli(home, WAITS_A_MINUTE, { ...kill, expectSignal: 'SIGKILL' });
  expect(expected).toMatchObject({ signal: 'SIGKILL', code: 137, timedOut: false });
});

test('a CLI that outlives its timeout rejects, unless the test expects the timeout', async () => {
  const home = tempHome();
  await expect(runCli(home, WAITS_A_MINUTE, { timeoutMs: 3000 })).rejects.toThrow(
    /timed out after 3000 ms \(then ended by SIGTERM\)/,
  );
  const expected = await runCli(home, WAITS_A_MINUTE, { timeoutMs: 3000, expectTimeout: true });
  expect(expected).toMatchObject({ timedOut: true, signal: 'SIGTERM' });
  expect(expected.stderr).toContain('daemon connection lost; reconnecting');
});

test('an ordinary failure resolves with its code, no signal and no timeout', async () => {
  const result = await runCli(tempHome(), ['show', 'no-such-run']);
  expect(result).toMatchObject({ code: 1, signal: null, timedOut: false });
});

test('stopDaemon: a clean stop is 0, a stop by the SIGKILL it sent is null', async () => {
  const home = tempHome();
  const first = await startDaemon(home);
  cleanups.push(() => stopDaemon(first.daemon, 'SIGKILL'));
  expect(await stopDaemon(first.daemon)).toBe(0);
  // Asking again after the exit reports the same exit.
  expect(await stopDaemon(first.daemon)).toBe(0);
  const second = await startDaemon(home);
  expect(await stopDaemon(second.daemon, 'SIGKILL')).toBeNull();
  expect(await stopDaemon(second.daemon)).toBeNull();
});

test('stopDaemon rejects for a daemon that died of a signal the test never sent', async () => {
  const home = tempHome();
  const { daemon } = await startDaemon(home);
  cleanups.push(() => stopDaemon(daemon, 'SIGKILL').catch(() => undefined));
  const died = new Promise((resolve) => daemon.once('exit', resolve));
  // A crash from outside the harness: our own unreaped child, by its pid.
  const pid = daemon.pid;
  if (pid === undefined) throw new Error('the daemon has no pid');
  process.kill(pid, 'SIGKILL');
  await died;
  await expect(stopDaemon(daemon)).rejects.toThrow(
    new RegExp(`daemon ${pid} died of SIGKILL, which the test never sent`),
  );
});
