// Follows a run's output through the daemon's NDJSON stream, from an absolute offset, until
// the run's exit line. When the daemon goes away (a crash, a restart) it reconnects and
// resumes from the next offset it has not printed, so nothing is missed or repeated.
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import type { RunExit } from '../types.js';
import { CliError, DaemonUnreachableError } from './cli-error.js';
import type { ControlClient } from './control-client.js';

export interface FollowOptions {
  /** First offset to print. */
  readonly since: number;
  readonly onData: (chunk: Buffer) => void;
  /** Called when the daemon connection dropped and a reconnect starts. */
  readonly onReconnecting?: () => void;
  /** How long to keep trying to reach a daemon again. Default 60 s. */
  readonly reconnectMs?: number;
  /** Stops following (resolves null). */
  readonly signal?: AbortSignal;
}

interface StreamLine {
  readonly type: string;
  readonly offset?: number;
  readonly data?: string;
  readonly exit?: RunExit | null;
}

const RETRY_MS = 200;

/** Resolves with the run's exit (null when the daemon knows no exit for it). */
export async function followRunOutput(
  client: ControlClient,
  runId: string,
  options: FollowOptions,
): Promise<RunExit | null> {
  let next = options.since;
  const reconnectMs = options.reconnectMs ?? 60_000;
  let downSince: number | null = null;
  const { signal } = options;
  // A function, not a property read: TypeScript would narrow the property across awaits.
  const aborted = () => signal?.aborted === true;
  while (!aborted()) {
    try {
      const response = await client.open(
        'GET',
        `/v1/runs/${encodeURIComponent(runId)}/output?since=${next}&follow=true`,
      );
      if ((response.statusCode ?? 500) >= 400) throw await apiFailure(response);
      const lines = createInterface({ input: response, crlfDelay: Infinity });
      // readline does not end on a destroyed input: close it too.
      const stop = () => {
        lines.close();
        response.destroy();
      };
      signal?.addEventListener('abort', stop, { once: true });
      if (aborted()) stop();
      downSince = null;
      for await (const text of lines) {
        if (text === '') continue;
        const line = JSON.parse(text) as StreamLine;
        if (line.type === 'exit') return line.exit ?? null;
        if (line.type !== 'output' || line.data === undefined || line.offset === undefined)
          continue;
        const chunk = Buffer.from(line.data, 'base64');
        const end = line.offset + chunk.length;
        if (end <= next) continue;
        options.onData(line.offset < next ? chunk.subarray(next - line.offset) : chunk);
        next = end;
      }
      signal?.removeEventListener('abort', stop);
      // Stopped by the caller (attach's detach key): the daemon was not lost.
      if (aborted()) break;
    } catch (error) {
      if (aborted()) break;
      // An API answer (unknown run, bad offset) is final; only a lost daemon is retried.
      if (error instanceof CliError && !(error instanceof DaemonUnreachableError)) throw error;
    }
    const now = Date.now();
    if (downSince === null) {
      downSince = now;
      options.onReconnecting?.();
    } else if (now - downSince > reconnectMs) {
      throw new CliError(`lost the daemon for more than ${reconnectMs} ms; giving up`, 1);
    }
    await sleep(RETRY_MS);
  }
  return null;
}

async function apiFailure(response: NodeJS.ReadableStream): Promise<CliError> {
  let body = '';
  for await (const chunk of response) body += (chunk as Buffer).toString();
  let message = body;
  try {
    message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? body;
  } catch {
    // not JSON: keep the text
  }
  return new CliError(message, 1);
}
