// Drives the `runwarden` CLI and daemon of any build (this checkout's dist/, or a release's),
// with an environment of the test's choosing, and keeps the daemon's log (its stderr).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** This checkout's built CLI. */
export const CURRENT_BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** A daemon started by `startBuildDaemon`, with what it printed and logged so far. */
export interface BuildDaemon {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly report: Record<string, unknown>;
  /** Its pino log (stderr), one JSON object per line. */
  log(): string;
  /** SIGKILLs it (our own child, by its handle) and waits until it is reaped. */
  kill(): Promise<void>;
  /** SIGTERMs it and resolves its exit code; rejects if a signal ended it. */
  stop(): Promise<number>;
}

/** Starts `<bin> --home HOME daemon ...args`; resolves once it printed its boot report. */
export async function startBuildDaemon(
  bin: string,
  home: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
  bootMs = 30_000,
): Promise<BuildDaemon> {
  const child = spawn(process.execPath, [bin, '--home', home, 'daemon', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  const report = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`daemon ${bin} not ready after ${bootMs} ms: ${stderr.slice(-2000)}`));
    }, bootMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('reconcile: ')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice('reconcile: '.length)) as Record<string, unknown>);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`daemon ${bin} exited (${String(code ?? signal)}): ${stderr.slice(-2000)}`));
    });
  });
  return {
    child,
    report,
    log: () => stderr,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      if (child.signalCode !== null) throw new Error(`daemon ended by ${child.signalCode}`);
      return child.exitCode ?? 1;
    },
  };
}

/** Runs `<bin> --home HOME ...args` and resolves its stdout; rejects on a non-zero exit. */
export function runBuildCli(
  bin: string,
  home: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 30_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, '--home', home, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`${bin} ${args.join(' ')}: ${String(code ?? signal)}: ${stderr}`));
    });
  });
}
