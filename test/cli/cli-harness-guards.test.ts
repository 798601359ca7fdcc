// The CLI harness itself (test/support/cli.ts) guards: a CLI ended by a signal or by the
// harness's timeout, and a daemon that dies of a signal the test never sent, fail the test
// that met them instead of passing as an exit code or a clean stop.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, test } from 'vitest';
import { runCli, startDaemon, stopDaemon, type DaemonProcess } from '../support/cli.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups, tempHome } = useBuiltCli('runwarden-harness-');

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

// A process that stands in for a daemon, started like one (stdout and stderr piped): `body`
// runs in node; resolves once it printed `ready`, so its signal handlers are in place.
async function standIn(body: string): Promise<DaemonProcess> {
  const child = spawn(process.execPath, ['-e', `${body}; console.log('ready')`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Our own child, not yet reaped while it runs: its pid is ours to SIGKILL.
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await once(child.stdout, 'data');
  return child;
}

test('stopDaemon rejects for a daemon that died of the SIGTERM or SIGINT it should have handled', async () => {
  const unhandled = 'setInterval(() => undefined, 1000)';
  const term = await standIn(unhandled);
  await expect(stopDaemon(term)).rejects.toThrow(
    new RegExp(`daemon ${String(term.pid)} died of SIGTERM instead of stopping gracefully`),
  );
  expect(term.signalCode).toBe('SIGTERM');
  const int = await standIn(unhandled);
  await expect(stopDaemon(int, 'SIGINT')).rejects.toThrow(/died of SIGINT instead of stopping/);
  // The same process, handling it: a clean stop.
  const handled = await standIn("process.on('SIGTERM', () => process.exit(0)); " + unhandled);
  expect(await stopDaemon(handled)).toBe(0);
});

test('stopDaemon SIGKILLs a daemon that does not exit after its signal, and rejects', async () => {
  const deaf = await standIn(
    "process.on('SIGTERM', () => undefined); setInterval(() => undefined, 1000)",
  );
  // It ignores SIGTERM for good: the bound, not the machine's speed, ends the wait.
  await expect(stopDaemon(deaf, 'SIGTERM', 2000)).rejects.toThrow(
    new RegExp(`daemon ${String(deaf.pid)} had not exited 2000 ms after SIGTERM; SIGKILLed`),
  );
  expect(deaf.signalCode).toBe('SIGKILL');
});
