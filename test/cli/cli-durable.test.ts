// Durable runs end to end through the built binary: the daemon is SIGKILLed mid-stream and
// restarted, and nothing the run wrote is lost or repeated; `attach` is driven through tmux.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon, type DaemonProcess } from '../support/cli.js';
import { liveMarked } from '../support/process-checks.js';
import { toolOnPath } from '../support/machine-requirements.js';
import { testNeeding } from '../support/requirements.js';
import { waitRunHostGone } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** The terminal's shell runs the CLI with this test's own Node. */
const NODE = process.execPath;

const { cleanups } = useBuiltCli('runwarden-cli-');

function tempHome(): string {
  const home = createTempHome('runwarden-durable-');
  cleanups.push(home.remove);
  // Runs once every daemon is stopped: the host must leave by itself.
  cleanups.push(() => waitRunHostGone(home.path));
  return home.path;
}

async function daemon(home: string): Promise<{ daemon: DaemonProcess; report: RunReport }> {
  const started = await startDaemon(home);
  cleanups.push(async () => {
    expect(await stopDaemon(started.daemon)).toBe(
      started.daemon.signalCode === 'SIGKILL' ? null : 0,
    );
  });
  return { daemon: started.daemon, report: started.report as unknown as RunReport };
}

interface RunReport {
  readonly reattached: string[];
}

const LINES = 600;
/**
 * Counts to LINES, and waits at 200 and at 400 until the test opens a gate (a file): the run
 * is still running when each new daemon boots, however slow the machine.
 */
const counter = (gate: string) =>
  `i=0; while [ $i -lt ${LINES} ]; do ` +
  `if [ $i -eq 200 ] || [ $i -eq 400 ]; then while [ ! -e ${gate}-$i ]; do sleep 0.05; done; fi; ` +
  `echo $i; i=$((i+1)); sleep 0.005; done; exit 7`;

test('a durable run survives two daemon SIGKILLs: every line exactly once, the real exit code', async () => {
  const home = tempHome();
  const first = await daemon(home);
  const gate = join(home, 'gate');
  const openGate = (at: number) => {
    writeFileSync(`${gate}-${at}`, '');
  };
  const id = (
    await runCli(home, ['run', '--durable', '--', 'sh', '-c', counter(gate)])
  ).stdout.trim();
  expect(id).toMatch(/^r/);

  // A follower that outlives both daemons.
  const follower = spawn(process.execPath, [BIN, '--home', home, 'logs', id, '--follow'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let followed = '';
  let followerErr = '';
  follower.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString()));
  follower.stderr.on('data', (chunk: Buffer) => (followerErr += chunk.toString()));
  const followerDone = new Promise<number | null>((resolve) => follower.once('exit', resolve));
  cleanups.push(() => {
    if (follower.exitCode === null) follower.kill('SIGKILL');
  });
  const lines = () => followed.split('\n').length - 1;

  await waitUntil(() => lines() >= 100, 20_000, 'the first hundred lines');
  await stopDaemon(first.daemon, 'SIGKILL');
  const second = await daemon(home);
  expect(second.report.reattached).toEqual([id]);
  openGate(200);

  await waitUntil(() => lines() >= 300, 20_000, 'three hundred lines');
  await stopDaemon(second.daemon, 'SIGKILL');
  const third = await daemon(home);
  expect(third.report.reattached).toEqual([id]);
  openGate(400);

  expect(await followerDone).toBe(0);
  const expected = Array.from({ length: LINES }, (_, i) => String(i));
  expect(followed.trimEnd().split('\n')).toEqual(expected);
  expect(followerErr).toContain('daemon connection lost; reconnecting');
  expect(followerErr).toContain('run ended: exit');

  const info = JSON.parse((await runCli(home, ['show', id, '--json'])).stdout) as RunInfo;
  expect(info.exit).toMatchObject({ reason: 'exit', exitCode: 7 });
  // The whole log, read again from offset 0 after the run ended.
  const logs = await runCli(home, ['logs', id]);
  expect(logs.stdout.trimEnd().split('\n')).toEqual(expected);
  expect(liveMarked(id)).toEqual([]);
}, 120_000);

function useTmux(home: string): Tmux {
  const term = startTmux(home);
  cleanups.push(() => term.stop());
  return term;
}

const testWithTmux = testNeeding(toolOnPath('tmux', 'apt-get install tmux; .ci/run installs it'));

testWithTmux(
  'attach through tmux: type, see the echo, detach, restart the daemon, attach again, see the history',
  async () => {
    const home = tempHome();
    const first = await daemon(home);
    const id = (
      await runCli(home, ['run', '--pty', '--durable', '--env', 'PS1=run$ ', '--', 'sh', '-i'])
    ).stdout.trim();
    const term = useTmux(home);
    const attach = `${NODE} ${BIN} --home ${home} attach ${id}`;

    term.keys(attach, 'Enter');
    await waitUntil(() => term.screen().includes('run$'), 10_000, 'the run prompt');
    term.keys('echo hello-$((6*7))', 'Enter');
    await waitUntil(() => term.screen().includes('hello-42'), 10_000, 'the echo');
    term.keys('C-]');
    await waitUntil(() => term.screen().includes(`detached from ${id}`), 10_000, 'the detach');

    const running = JSON.parse((await runCli(home, ['show', id, '--json'])).stdout) as RunInfo;
    expect(['running', 'idle']).toContain(running.state);

    await stopDaemon(first.daemon, 'SIGKILL');
    const second = await daemon(home);
    expect(second.report.reattached).toEqual([id]);

    term.clear();
    await waitUntil(() => !term.screen().includes('hello-42'), 10_000, 'a clear screen');
    term.keys(attach, 'Enter');
    // The history comes back from the run host's log.
    await waitUntil(() => term.screen().includes('hello-42'), 10_000, 'the history');
    term.keys('echo again-$((2+3))', 'Enter');
    await waitUntil(() => term.screen().includes('again-5'), 10_000, 'the second echo');
    term.keys('C-]');
    await waitUntil(
      () => term.screen().includes(`detached from ${id}`),
      10_000,
      'the second detach',
    );

    const killed = await runCli(home, ['kill', id, '--json']);
    expect(JSON.parse(killed.stdout)).toMatchObject([{ reason: 'cancelled' }]);
    expect(liveMarked(id)).toEqual([]);
  },
  120_000,
);
