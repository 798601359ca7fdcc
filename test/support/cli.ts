// Drives the built `runwarden` binary (dist/cli/main.js) as a user would. A CLI or daemon
// ended by a signal nobody expected, by runCli's own timeout, or (a daemon) by the very
// SIGTERM or SIGINT it should have handled, is a crash: it rejects with what happened,
// never passes as an exit code.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
// After a timeout's SIGTERM, how long the CLI gets to clean up before SIGKILL.
const KILL_GRACE_MS = 5000;
const TAIL_CHARS = 2000;

export interface CliResult {
  /**
   * The exit code. For a CLI ended by a signal (only ever resolved with `expectSignal` or
   * `expectTimeout`), 128 + the signal's number, as a shell reports it.
   */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The signal that ended the CLI, or null when it exited by itself. */
  readonly signal: NodeJS.Signals | null;
  /** Whether runCli's timeout ended the CLI. */
  readonly timedOut: boolean;
}

export interface CliOptions {
  /** Sends SIGTERM after this long (then SIGKILL 5 s later). Default 30 s. */
  readonly timeoutMs?: number;
  /** The test itself ends the CLI with this signal: resolve with it instead of rejecting. */
  readonly expectSignal?: NodeJS.Signals;
  /** The test expects the timeout to end the CLI: resolve with `timedOut: true`. */
  readonly expectTimeout?: boolean;
  /** Called once the CLI process exists (for example to signal it). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

/**
 * Runs `runwarden --home HOME ...args` to completion. Rejects, naming argv, the signal and
 * the tails of stdout and stderr, when the CLI was ended by a signal or timed out, unless
 * the options say the test expects exactly that. A number is `timeoutMs`.
 */
export function runCli(
  home: string,
  args: readonly string[],
  options: number | CliOptions = {},
): Promise<CliResult> {
  const { timeoutMs = 30_000, ...expected } =
    typeof options === 'number' ? { timeoutMs: options } : options;
  const argv = ['--home', home, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // Never written: as with execFile, a CLI that waits for stdin waits (until the timeout).
    child.stdin.on('error', () => undefined);
    let timedOut = false;
    let forceKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      forceKill = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      reject(new Error(`runwarden ${JSON.stringify(argv)} could not be run`, { cause: error }));
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      const result: CliResult = {
        code: signal === null ? (exitCode ?? 1) : 128 + constants.signals[signal],
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        signal,
        timedOut,
      };
      const unexpected = timedOut
        ? expected.expectTimeout !== true
        : signal !== null && signal !== expected.expectSignal;
      if (unexpected) reject(new Error(describeCrash(argv, result, timeoutMs)));
      else resolve(result);
    });
    expected.onSpawn?.(child);
  });
}

function describeCrash(argv: readonly string[], result: CliResult, timeoutMs: number): string {
  const how = result.timedOut
    ? `timed out after ${timeoutMs} ms (then ${result.signal === null ? `exited ${result.code}` : `ended by ${result.signal}`})`
    : `was killed by ${String(result.signal)}`;
  return [
    `runwarden ${JSON.stringify(argv)} ${how}`,
    `stdout (tail): ${result.stdout.slice(-TAIL_CHARS)}`,
    `stderr (tail): ${result.stderr.slice(-TAIL_CHARS)}`,
  ].join('\n');
}

export type DaemonProcess = ChildProcessByStdio<null, Readable, Readable>;

// What stopDaemon must know of each daemon: the signals the test sent, its stderr's tail.
const watched = new WeakMap<DaemonProcess, { sent: Set<NodeJS.Signals>; stderr: string }>();

/**
 * Starts `runwarden daemon` and resolves once it listens, with what it printed. Rejects
 * (with its code or signal and stderr) if it exits first or is not listening after
 * `bootMs` (then it is SIGKILLed, so nothing outlives the test).
 */
export async function startDaemon(
  home: string,
  args: readonly string[] = [],
  bootMs = 20_000,
): Promise<{ daemon: DaemonProcess; report: Record<string, unknown>; printed: string[] }> {
  const daemon = spawn(process.execPath, [BIN, '--home', home, 'daemon', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state = { sent: new Set<NodeJS.Signals>(), stderr: '' };
  watched.set(daemon, state);
  daemon.stderr.on('data', (chunk: Buffer) => {
    state.stderr = (state.stderr + chunk.toString()).slice(-64 * 1024);
  });
  const printed: string[] = [];
  const report = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      state.sent.add('SIGKILL');
      daemon.kill('SIGKILL');
      reject(new Error(`daemon not listening after ${bootMs} ms: ${tail(state.stderr)}`));
    }, bootMs);
    createInterface({ input: daemon.stdout }).on('line', (line) => {
      printed.push(line);
      if (line.startsWith('reconcile: ')) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice('reconcile: '.length)) as Record<string, unknown>);
      }
    });
    daemon.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    daemon.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `daemon exited (code ${String(code)}, signal ${String(signal)}) before listening: ${tail(state.stderr)}`,
        ),
      );
    });
  });
  return { daemon, report, printed };
}

// How long a daemon gets to exit after stopDaemon's signal before it is SIGKILLed: a graceful
// stop ends every run first, on a machine whose two cores other tests keep busy.
const STOP_WAIT_MS = 60_000;
// Signals a daemon handles to stop gracefully: dying OF one (its default action) is a crash.
const GRACEFUL: ReadonlySet<NodeJS.Signals> = new Set(['SIGTERM', 'SIGINT']);

/**
 * Stops a daemon with `signal` (our own child, not yet reaped) and waits for its exit;
 * resolves its exit code (null when it ended by a SIGKILL the test sent). Rejects when it
 * died of a signal the test never sent, or of the graceful signal it was asked to handle
 * (SIGTERM, SIGINT: the daemon did not handle it), or when it had not exited `waitMs` after
 * the signal (it is then SIGKILLed by its handle): a crash or a hang is never a clean stop.
 */
export async function stopDaemon(
  daemon: DaemonProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  waitMs = STOP_WAIT_MS,
): Promise<number | null> {
  const state = watched.get(daemon);
  if (daemon.exitCode === null && daemon.signalCode === null) {
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<boolean>((resolve) => {
      daemon.once('exit', () => {
        resolve(true);
      });
      timer = setTimeout(() => {
        resolve(false);
      }, waitMs);
    });
    state?.sent.add(signal);
    daemon.kill(signal);
    const inTime = await exited;
    clearTimeout(timer);
    if (!inTime) {
      // Still our unreaped child (no exit event yet): its pid is ours to SIGKILL.
      const killed = new Promise((resolve) => daemon.once('exit', resolve));
      daemon.kill('SIGKILL');
      await killed;
      throw new Error(
        `daemon ${String(daemon.pid)} had not exited ${waitMs} ms after ${signal}; SIGKILLed: ${tail(state?.stderr ?? '')}`,
      );
    }
  }
  const ended = daemon.signalCode;
  const stderr = tail(state?.stderr ?? '');
  if (ended !== null && GRACEFUL.has(ended) && (ended === signal || state?.sent.has(ended)))
    throw new Error(
      `daemon ${String(daemon.pid)} died of ${ended} instead of stopping gracefully on it: ${stderr}`,
    );
  if (ended !== null && state?.sent.has(ended) !== true)
    throw new Error(
      `daemon ${String(daemon.pid)} died of ${ended}, which the test never sent: ${stderr}`,
    );
  return daemon.exitCode;
}

function tail(text: string): string {
  return text.slice(-TAIL_CHARS);
}
