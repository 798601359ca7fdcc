// Starts test/fixtures/crash-host.mjs (a supervisor in its own process, from dist/) and
// waits for it to report a crash point.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { listFiles } from './list-files.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/crash-host.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CrashPoint {
  readonly point: string;
  readonly runId?: string;
  readonly pid?: number;
  /** At `backoff`: when the run's next generation is due. */
  readonly nextStartAt?: number;
}

/** Fails clearly when dist/ is missing or older than src/ (the host imports dist/). */
export function assertFreshBuild(): void {
  let built: number;
  try {
    built = statSync(`${ROOT}/dist/index.js`).mtimeMs;
  } catch {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  }
  const newest = Math.max(...listFiles(`${ROOT}/src`).map((file) => statSync(file).mtimeMs));
  if (newest > built) throw new Error('dist/ is older than src/: run `npm run build`');
}

/** Starts a host and resolves once it reports `point` (rejects if it exits first). */
export function startCrashHost(
  home: string,
  point: string,
  policy = 'kill',
): { child: ChildProcessByStdio<null, Readable, Readable>; reached: Promise<CrashPoint> } {
  const child = spawn(process.execPath, [FIXTURE, home, point, policy], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const reached = new Promise<CrashPoint>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const message = JSON.parse(line) as CrashPoint;
      if (message.point === point) resolve(message);
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`crash host exited (${String(code ?? signal)}) before ${point}: ${stderr}`));
    });
  });
  return { child, reached };
}

/** SIGKILLs the host (our own child, by its handle) and waits until it is reaped. */
export async function killHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
