// `runwarden attach` in a real terminal (tmux), as the README promises it: `--detach-key`
// picks the key that detaches (and Ctrl-] is then plain input), the last 64 KiB of output
// are replayed first, and the run's terminal follows the attaching terminal's size.
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { toolOnPath } from '../support/machine-requirements.js';
import { liveMarked } from '../support/process-checks.js';
import { testNeeding } from '../support/requirements.js';
import { createTempHome } from '../support/temp-home.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** The terminal's shell runs the CLI with this test's own Node. */
const NODE = process.execPath;
const testWithTmux = testNeeding(toolOnPath('tmux', 'apt-get install tmux; .ci/run installs it'));

const { cleanups } = useBuiltCli('runwarden-cli-');

/** A fresh home with a daemon, and a terminal whose output file lives in that home. */
async function setUp(cols?: number, rows?: number): Promise<{ home: string; term: Tmux }> {
  const home = createTempHome('runwarden-attach-');
  cleanups.push(home.remove);
  const { daemon } = await startDaemon(home.path);
  cleanups.push(async () => {
    expect(await stopDaemon(daemon)).toBe(0);
  });
  const term = startTmux(home.path, cols, rows);
  cleanups.push(() => term.stop());
  return { home: home.path, term };
}

async function startRun(home: string, args: string[]): Promise<string> {
  const id = (await runCli(home, ['run', '--pty', ...args])).stdout.trim();
  expect(id).toMatch(/^r/);
  // Whatever the test does, the run ends and nothing of it is left.
  cleanups.push(async () => {
    await runCli(home, ['kill', id]);
    await waitUntil(() => liveMarked(id).length === 0, 10_000, `run ${id} to end`);
  });
  return id;
}

/** Types an attach command that reports its own exit code once it returns. */
function attach(term: Tmux, home: string, id: string, extra: string[] = []): void {
  term.keys(`${NODE} ${BIN} --home ${home} attach ${id} ${extra.join(' ')}; echo attach-exit=$?`);
  term.keys('Enter');
}

/** The terminal's raw output without `\r` (the run's PTY and the terminal's each add one). */
const shown = (term: Tmux) => term.output().replaceAll('\r', '');
const count = (text: string, part: string) => text.split(part).length - 1;

async function runState(home: string, id: string): Promise<string> {
  return (JSON.parse((await runCli(home, ['show', id, '--json'])).stdout) as RunInfo).state;
}

testWithTmux(
  '--detach-key ctrl-t detaches (exit 0, the run keeps running) and Ctrl-] is then plain input',
  async () => {
    const { home, term } = await setUp();
    const id = await startRun(home, ['--env', 'PS1=run$ ', '--', 'sh', '-i']);
    attach(term, home, id, ['--detach-key', 'ctrl-t']);
    await waitUntil(() => shown(term).includes('run$ '), 10_000, 'the run prompt');

    // Ctrl-] (0x1d) goes to the run as a byte: od shows it between a and b.
    term.keys('echo "a', 'C-]', 'b" | od -An -tx1', 'Enter');
    await waitUntil(() => shown(term).includes('61 1d 62 0a'), 10_000, 'the byte in the run');
    term.keys('echo still-$((40+2))', 'Enter');
    await waitUntil(() => shown(term).includes('still-42'), 10_000, 'the next echo');
    expect(shown(term)).not.toContain('[detached from');
    expect(shown(term)).not.toMatch(/attach-exit=\d/);

    // Keys typed before the detach key, in the same burst, still reach the run.
    term.keys('echo before-$((1+2))', 'Enter', 'C-t');
    await waitUntil(() => shown(term).includes('attach-exit=0'), 10_000, 'the detach');
    expect(shown(term)).toContain(`[detached from ${id}; it keeps running]`);
    // The daemon never went away: detaching says nothing about a lost connection.
    expect(shown(term)).not.toContain('connection lost');
    expect(['running', 'idle']).toContain(await runState(home, id));
    expect(liveMarked(id).length).toBeGreaterThan(0);

    // Attached again (default key this time): the run is the same shell, alive and typing.
    // Only what the terminal got since this reattach counts: the raw output (the screen's
    // scrollback may still hold the first attach's lines, whatever `clear` did).
    const reattachedAt = term.output().length;
    attach(term, home, id);
    await waitUntil(
      () => term.output().slice(reattachedAt).replaceAll('\r', '').includes('before-3'),
      10_000,
      'the replayed history',
    );
    term.keys('echo back-$((5+5))', 'Enter');
    await waitUntil(() => shown(term).includes('back-10'), 10_000, 'the echo after reattach');
    term.keys('C-]');
    await waitUntil(() => count(shown(term), 'attach-exit=0') === 2, 10_000, 'the second detach');
    expect(['running', 'idle']).toContain(await runState(home, id));
  },
  60_000,
);

test('an invalid --detach-key is a usage error (exit 2) naming the key', async () => {
  const home = createTempHome('runwarden-attach-');
  cleanups.push(home.remove);
  const result = await runCli(home.path, ['attach', 'r-none', '--detach-key', 'alt-x']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('invalid --detach-key "alt-x"');
});

const LINES = 5000;
/** Each line is 64 bytes on the run's terminal: 62 characters, then `\r\n`. */
const line = (i: number) => `line-${String(i).padStart(5, '0')}-${'x'.repeat(51)}`;

testWithTmux(
  'attach replays exactly the last 64 KiB of a run that printed 312 KiB, whole lines from 3976 on',
  async () => {
    const { home, term } = await setUp();
    const printer = `i=0; while [ $i -lt ${LINES} ]; do printf 'line-%05d-%s\\n' $i ${'x'.repeat(51)}; i=$((i+1)); done; exec sleep 600`;
    const id = await startRun(home, ['--', 'sh', '-c', printer]);
    const bytes = LINES * 64;
    await waitUntil(
      async () =>
        (JSON.parse((await runCli(home, ['show', id, '--json'])).stdout) as RunInfo).outputBytes ===
        bytes,
      30_000,
      `${bytes} bytes of output`,
    );

    // A marker the shell prints just before the client starts: what follows is the client's.
    term.keys(
      `echo begin-$((1+1)); ${NODE} ${BIN} --home ${home} attach ${id}; echo attach-exit=$?`,
    );
    term.keys('Enter');
    await waitUntil(() => shown(term).includes(line(LINES - 1)), 20_000, 'the last line');
    term.keys('C-]');
    await waitUntil(() => shown(term).includes('attach-exit=0'), 10_000, 'the detach');

    const out = shown(term);
    const replay = out.slice(out.indexOf('begin-2\n') + 8, out.indexOf('\n[detached from'));
    // 65,536 bytes are 1,024 lines of 64: the first one replayed is line 3976, whole.
    const first = LINES - 65_536 / 64;
    const expected = Array.from({ length: LINES - first }, (_, i) => `${line(first + i)}\n`);
    expect(replay.slice(0, 16)).toBe('line-03976-xxxxx');
    expect(out).not.toContain('line-03975-');
    expect(replay).toBe(expected.join(''));
  },
  60_000,
);

testWithTmux(
  "the run's terminal takes the attaching terminal's size, and follows it when it changes",
  async () => {
    const { home, term } = await setUp(100, 35);
    // Prints its size at start and at every SIGWINCH; `wait` lets the trap run at once.
    const watcher = `trap 'echo size=$(stty size).' WINCH; echo size=$(stty size).; while :; do sleep 1 & wait $!; done`;
    const id = await startRun(home, ['--', 'sh', '-c', watcher]);
    await waitUntil(
      async () => (await runCli(home, ['logs', id])).stdout.includes('size=30 120.'),
      10_000,
      'the default size (120x30)',
    );

    attach(term, home, id);
    expect(term.size()).toEqual({ rows: 35, cols: 100 });
    await waitUntil(() => shown(term).includes('size=35 100.'), 10_000, "the terminal's size");

    term.resize(132, 45);
    expect(term.size()).toEqual({ rows: 45, cols: 132 });
    await waitUntil(() => shown(term).includes('size=45 132.'), 10_000, 'the new size');
    term.resize(70, 20);
    await waitUntil(() => shown(term).includes('size=20 70.'), 10_000, 'the smaller size');

    term.keys('C-]');
    await waitUntil(() => shown(term).includes('attach-exit=0'), 10_000, 'the detach');
    // The order the run saw: its default, then each size of the terminal.
    const sizes = [...shown(term).matchAll(/size=(\d+ \d+)\./g)].map((m) => m[1]);
    expect(sizes).toEqual(['30 120', '35 100', '45 132', '20 70']);
  },
  60_000,
);
