// `runwarden attach` rides out daemon restarts while attached (README, "Durable runs"): the
// same client, in a real terminal (tmux), reconnects and resumes the output from the next
// byte it has not shown, and keys typed meanwhile reach the run once a daemon is back.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon, type DaemonProcess } from '../support/cli.js';
import { toolOnPath } from '../support/machine-requirements.js';
import { liveMarked } from '../support/process-checks.js';
import { testNeeding } from '../support/requirements.js';
import { waitRunHostGone } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** The terminal's shell runs the CLI with this test's own Node. */
const NODE = process.execPath;
const testWithTmux = testNeeding(toolOnPath('tmux', 'apt-get install tmux; .ci/run installs it'));

const { cleanups } = useBuiltCli('runwarden-cli-');

function tempHome(): string {
  const home = createTempHome('runwarden-attach-');
  cleanups.push(home.remove);
  // Runs once every daemon is stopped: the host must leave by itself.
  cleanups.push(() => waitRunHostGone(home.path));
  return home.path;
}

async function daemon(home: string, args: string[] = []): Promise<DaemonProcess> {
  const started = await startDaemon(home, args);
  cleanups.push(async () => {
    expect(await stopDaemon(started.daemon)).toBe(
      started.daemon.signalCode === 'SIGKILL' ? null : 0,
    );
  });
  return started.daemon;
}

/** A daemon started after another one went away: it must have reattached the run. */
async function restartedDaemon(home: string, id: string, args: string[] = []) {
  const started = await startDaemon(home, args);
  cleanups.push(async () => {
    expect(await stopDaemon(started.daemon)).toBe(
      started.daemon.signalCode === 'SIGKILL' ? null : 0,
    );
  });
  expect(started.report).toMatchObject({ reattached: [id] });
  return started.daemon;
}

function terminal(home: string): Tmux {
  const term = startTmux(home);
  cleanups.push(() => term.stop());
  return term;
}

/**
 * Ends the run whatever the test left behind (cleanups run before the first daemon's stop,
 * after the later ones': a `leave` daemon may have left it), with a daemon of its own if
 * none answers.
 */
async function endRun(home: string, id: string): Promise<void> {
  if (liveMarked(id).length === 0) return;
  if ((await runCli(home, ['kill', id])).code !== 0) {
    const { daemon: last } = await startDaemon(home);
    try {
      await runCli(home, ['kill', id]);
    } finally {
      await stopDaemon(last);
    }
  }
  await waitUntil(() => liveMarked(id).length === 0, 10_000, `run ${id} to end`);
}

/** What the attach client showed: raw output without `\r` and without its reconnect notes. */
function shown(term: Tmux): string {
  return term
    .output()
    .replaceAll('\r', '')
    .replaceAll('\n[runwarden: daemon connection lost; reconnecting]\n', '');
}

function ticks(text: string): number[] {
  return [...text.matchAll(/tick-(\d+)\./g)].map((match) => Number(match[1]));
}

const lastTick = (term: Tmux) => ticks(shown(term)).at(-1) ?? -1;

testWithTmux(
  'attached through a daemon SIGKILL and restart: output resumes exactly where it stopped, then keys and resize work',
  async () => {
    const home = tempHome();
    const stopFile = join(home, 'stop-ticking');
    const countFile = join(home, 'tick-count');
    const first = await daemon(home);
    const id = (
      await runCli(home, ['run', '--pty', '--durable', '--env', 'PS1=run$ ', '--', 'sh', '-i'])
    ).stdout.trim();
    expect(id).toMatch(/^r/);
    cleanups.push(() => endRun(home, id));
    const term = terminal(home);
    term.keys(`${NODE} ${BIN} --home ${home} attach ${id}; echo attach-exit=$?`, 'Enter');
    await waitUntil(() => shown(term).includes('run$ '), 10_000, 'the run prompt');

    // A ticker in the run's foreground, until the test says stop; it also counts in a file,
    // so the test sees it tick while no daemon is there.
    const ticker = `i=0; while [ ! -e ${stopFile} ]; do echo tick-$i.; echo $i > ${countFile}; i=$((i+1)); sleep 0.1; done`;
    term.keys(ticker, 'Enter');
    await waitUntil(() => lastTick(term) >= 10, 20_000, 'ten ticks on the attached terminal');

    await stopDaemon(first, 'SIGKILL');
    const shownBeforeRestart = lastTick(term);
    const ticked = () => Number(readFileSync(countFile, 'utf8').trim() || -1);
    // Ten more ticks while no daemon runs: output the client must still get, once.
    await waitUntil(() => ticked() >= shownBeforeRestart + 10, 20_000, 'ticks without a daemon');
    await waitUntil(
      () => term.output().includes('[runwarden: daemon connection lost; reconnecting]'),
      20_000,
      'the reconnect note',
    );

    const second = await restartedDaemon(home, id);
    const target = ticked() + 10;
    await waitUntil(() => lastTick(term) >= target, 20_000, 'ticks after the restart');
    writeFileSync(stopFile, '');
    await waitUntil(() => /tick-\d+\.\nrun\$ /.test(shown(term)), 20_000, 'the ticker to end');

    // Every tick exactly once, in order, on the same client: nothing lost, nothing repeated.
    const seen = ticks(shown(term));
    expect(seen.at(-1)).toBeGreaterThan(shownBeforeRestart + 10);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));
    expect(shown(term)).not.toMatch(/attach-exit=\d/);

    // Keys typed while no daemon runs wait in the client and reach the run once one is back.
    await stopDaemon(second, 'SIGKILL');
    term.keys('echo typed-$((3*4))', 'Enter');
    const third = await restartedDaemon(home, id, ['--on-shutdown', 'leave']);
    await waitUntil(() => shown(term).includes('typed-12'), 20_000, 'the keys typed meanwhile');

    // A graceful restart that leaves the run to the next daemon is ridden out as well.
    expect(await stopDaemon(third, 'SIGTERM')).toBe(0);
    await restartedDaemon(home, id);
    term.keys('echo after-leave-$((6*7))', 'Enter');
    await waitUntil(() => shown(term).includes('after-leave-42'), 20_000, 'the echo after leave');

    // The reattached run's terminal still follows this one: a SIGWINCH trap reports it (the
    // resize waits until the trap is set, or the shell would ignore the signal).
    term.keys(
      `trap 'echo winch=$(stty size).' WINCH; echo trap-$((1+1)); while :; do sleep 1 & wait $!; done`,
      'Enter',
    );
    await waitUntil(() => shown(term).includes('trap-2'), 20_000, 'the trap');
    term.resize(100, 30);
    expect(term.size()).toEqual({ rows: 30, cols: 100 });
    await waitUntil(() => shown(term).includes('winch=30 100.'), 20_000, 'the new size in the run');
    term.keys('C-c');
    await waitUntil(() => /winch=30 100\.\n(.*\n)*run\$ /.test(shown(term)), 20_000, 'the prompt');

    term.keys('C-]');
    await waitUntil(() => shown(term).includes('attach-exit=0'), 20_000, 'the detach');
    const afterResize = term.output().slice(term.output().lastIndexOf('winch=30 100.'));
    expect(afterResize).toContain(`[detached from ${id}; it keeps running]`);
    // The daemon is there: detaching says nothing about a lost connection.
    expect(afterResize).not.toContain('connection lost');
    expect(shown(term)).not.toContain(`[run ${id} ended`);
    const info = JSON.parse((await runCli(home, ['show', id, '--json'])).stdout) as RunInfo;
    expect(['running', 'idle']).toContain(info.state);

    // What was typed went through the run itself, not the terminal's own shell.
    const logs = (await runCli(home, ['logs', id])).stdout;
    for (const text of ['typed-12', 'after-leave-42', 'winch=30 100.'])
      expect(logs).toContain(text);

    const killed = await runCli(home, ['kill', id, '--json']);
    expect(JSON.parse(killed.stdout)).toMatchObject([{ reason: 'cancelled' }]);
    expect(liveMarked(id)).toEqual([]);
  },
  120_000,
);
