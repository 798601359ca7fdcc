// `runwarden attach ID`: an interactive terminal on a PTY run through the daemon. Keys go
// to the run as raw bytes, the run's output comes back from an absolute offset, the run's
// terminal follows this one's size, and the detach key leaves the run running. A daemon
// restart in between is ridden out: output resumes where it stopped, keys wait.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunExit, RunInfo } from '../types.js';
import { CliError, DaemonUnreachableError } from './cli-error.js';
import type { ControlClient } from './control-client.js';
import { followRunOutput } from './follow-logs.js';

/** Ctrl-] (as telnet): rarely needed by programs, easy to type. */
export const DEFAULT_DETACH_KEY = 'ctrl-]';
/** Output replayed on attach, so the screen shows where the run stands. */
const HISTORY_BYTES = 64 * 1024;

export type AttachEnd = { kind: 'detached' } | { kind: 'ended'; exit: RunExit | null };

/** Parses `ctrl-X` into its control byte. Throws CliError (usage). */
export function parseDetachKey(key: string): number {
  const match = /^ctrl-(.)$/i.exec(key);
  const code = match?.[1]?.toUpperCase().charCodeAt(0);
  if (code === undefined || code < 0x40 || code > 0x5f)
    throw new CliError(
      `invalid --detach-key ${JSON.stringify(key)}: expected ctrl-X (X in @, A-Z, [ \\ ] ^ _)`,
      2,
    );
  return code & 0x1f;
}

export async function attachToRun(
  client: ControlClient,
  runId: string,
  detachByte: number,
): Promise<AttachEnd> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) throw new CliError('attach needs a terminal (a TTY)', 2);
  const path = `/v1/runs/${encodeURIComponent(runId)}`;
  const { run } = await client.call<{ run: RunInfo }>('GET', path);
  if (run.mode !== 'pty')
    throw new CliError(`run ${runId} has no terminal (it is not a PTY run)`, 1);
  if (run.state === 'done')
    throw new CliError(`run ${runId} has ended (${run.exit?.reason ?? 'unknown'})`, 1);

  const stop = new AbortController();
  const state = { detached: false };
  let keys: Promise<void> = Promise.resolve();
  // Keys are posted in order; while the daemon is away they wait and are retried. Any other
  // failure (a refusal, a connection cut mid-request) is not retried, since the daemon may
  // have applied it already, and never dropped silently: the user is told.
  const post = async (body: unknown, what: 'input' | 'resize') => {
    while (!stop.signal.aborted) {
      try {
        await client.call('POST', `${path}/${what}`, body);
        return;
      } catch (error) {
        if (error instanceof DaemonUnreachableError) {
          await sleep(200);
          continue;
        }
        const why = error instanceof Error ? error.message : String(error);
        const lost =
          what === 'input' ? 'typed keys may not have reached' : 'a resize did not reach';
        process.stderr.write(`\r\n[runwarden: ${lost} the run: ${why}]\r\n`);
        return;
      }
    }
  };
  const resize = () => {
    void post({ cols: stdout.columns, rows: stdout.rows }, 'resize');
  };
  const onKeys = (chunk: Buffer) => {
    const at = chunk.indexOf(detachByte);
    const data = at === -1 ? chunk : chunk.subarray(0, at);
    if (data.length > 0) {
      const body = { data: data.toString('base64'), encoding: 'base64' };
      keys = keys.then(() => post(body, 'input'));
    }
    if (at !== -1) {
      state.detached = true;
      // Keys typed before the detach key still reach the run.
      void keys.then(() => {
        stop.abort();
      });
    }
  };

  stdin.setRawMode(true);
  stdin.resume();
  stdin.on('data', onKeys);
  stdout.on('resize', resize);
  resize();
  try {
    const exit = await followRunOutput(client, runId, {
      since: Math.max(0, run.outputBytes - HISTORY_BYTES),
      onData: (chunk) => stdout.write(chunk),
      onReconnecting: () =>
        process.stderr.write('\r\n[runwarden: daemon connection lost; reconnecting]\r\n'),
      signal: stop.signal,
    });
    return state.detached ? { kind: 'detached' } : { kind: 'ended', exit };
  } finally {
    stop.abort();
    stdin.off('data', onKeys);
    stdout.off('resize', resize);
    stdin.setRawMode(false);
    stdin.pause();
  }
}
