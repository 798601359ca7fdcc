// A real terminal for CLI tests: a tmux server of our own (its own socket, no user config),
// one window running `sh`, everything its programs write piped raw to a file. Nothing of the
// developer's own tmux, nor of a parallel test's, is ever touched.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProcStat, type ProcStat } from '../../src/os/proc-fs.js';
import { childrenOf } from './proc-info.js';
import { waitUntil } from './wait-for.js';

const TARGET = 'term';

export interface Tmux {
  /** Sends keys to the pane, as `tmux send-keys` reads them: text, `Enter`, `C-]`. */
  keys(...keys: string[]): void;
  /** The pane's screen and up to 200 lines of its scrollback, as text. */
  screen(): string;
  /** Clears the screen and the scrollback (the raw output keeps everything). */
  clear(): void;
  /** Every byte the pane's programs wrote since the start, raw (`\r` included). */
  output(): string;
  /** The pane's size, as `stty size` inside it should report it. */
  size(): { rows: number; cols: number };
  /** Resizes the window (and its single pane) as a user dragging the terminal would. */
  resize(cols: number, rows: number): void;
  /** Kills this server, then waits until its process is gone. */
  stop(): Promise<void>;
}

/** Starts a server on a fresh socket with one `cols` x `rows` pane; `dir` holds its output file. */
export function startTmux(dir: string, cols = 120, rows = 40): Tmux {
  const socket = `runwarden-test-${randomUUID().slice(0, 8)}`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const pipeFile = join(dir, `${socket}.out`);
  writeFileSync(pipeFile, '');
  tmux('new-session', '-d', '-s', TARGET, '-x', String(cols), '-y', String(rows), 'sh');
  let server: ProcStat | undefined;
  let socketPath = '';
  try {
    const pid = tmux('display-message', '-p', '-t', TARGET, '#{pid}').trim();
    socketPath = tmux('display-message', '-p', '-t', TARGET, '#{socket_path}').trim();
    server = readProcStat(Number(pid));
    if (server === undefined) throw new Error(`tmux server ${pid} is not there`);
    // No status line: the pane is the whole window, so sizes read as given.
    tmux('set-option', '-t', TARGET, 'status', 'off');
    tmux('pipe-pane', '-t', TARGET, `cat >> '${pipeFile}'`);
  } catch (error) {
    tmux('kill-server');
    throw error;
  }
  const started = server;
  return {
    keys: (...keys) => {
      tmux('send-keys', '-t', TARGET, ...keys);
    },
    screen: () => tmux('capture-pane', '-p', '-t', TARGET, '-S', '-200'),
    clear: () => {
      tmux('send-keys', '-t', TARGET, 'clear', 'Enter');
      tmux('clear-history', '-t', TARGET);
    },
    output: () => readFileSync(pipeFile, 'latin1'),
    size: () => {
      const [height, width] = tmux(
        'display-message',
        '-p',
        '-t',
        TARGET,
        '#{pane_height} #{pane_width}',
      )
        .trim()
        .split(' ')
        .map(Number);
      return { rows: height ?? NaN, cols: width ?? NaN };
    },
    resize: (newCols, newRows) => {
      tmux('resize-window', '-t', TARGET, '-x', String(newCols), '-y', String(newRows));
    },
    stop: async () => {
      // The server and all under it: the pane's shell, an attach client, pipe-pane's `cat`.
      const processes = [started, ...descendantsOf(started)];
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
      await waitUntil(
        () => processes.every(isGone),
        10_000,
        `tmux server ${started.pid} and its pane's processes to exit`,
      );
      // A killed server leaves its socket file behind.
      rmSync(socketPath, { force: true });
    },
  };
}

/** The descendants of `root` (if it is still that process), as read from the process table now. */
function descendantsOf(root: ProcStat): ProcStat[] {
  if (isGone(root)) return [];
  const tree = [root];
  for (let i = 0; i < tree.length; i += 1) tree.push(...childrenOf((tree[i] as ProcStat).pid));
  return tree.slice(1);
}

/** True once the process is gone, a zombie, or its pid belongs to another process. */
function isGone(process: ProcStat): boolean {
  const now = readProcStat(process.pid);
  return now === undefined || now.state === 'Z' || now.startTicks !== process.startTicks;
}
