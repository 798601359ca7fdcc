// Drives the built `runwarden` binary (dist/cli/main.js) as a user would.
import { execFile, spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `runwarden --home HOME ...args` to completion. */
export function runCli(
  home: string,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, '--home', home, ...args],
      { timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export type DaemonProcess = ChildProcessByStdio<null, Readable, Readable>;

/** Starts `runwarden daemon` and resolves once it listens, with what it printed. */
export async function startDaemon(
  home: string,
  args: readonly string[] = [],
): Promise<{ daemon: DaemonProcess; report: Record<string, unknown>; printed: string[] }> {
  const daemon = spawn(process.execPath, [BIN, '--home', home, 'daemon', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  daemon.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const printed: string[] = [];
  const report = await new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: daemon.stdout }).on('line', (line) => {
      printed.push(line);
      if (line.startsWith('reconcile: '))
        resolve(JSON.parse(line.slice('reconcile: '.length)) as Record<string, unknown>);
    });
    daemon.once('exit', (code) => {
      reject(new Error(`daemon exited (${String(code)}) before listening: ${stderr}`));
    });
  });
  return { daemon, report, printed };
}

/** Stops a daemon with `signal` (our own child, not yet reaped) and waits for its exit. */
export async function stopDaemon(
  daemon: DaemonProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return daemon.exitCode;
  const exited = new Promise<number | null>((resolve) =>
    daemon.once('exit', (code) => {
      resolve(code);
    }),
  );
  daemon.kill(signal);
  return exited;
}
