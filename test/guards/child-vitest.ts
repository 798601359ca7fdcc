// Runs a fixture suite in a child vitest, the way the guards test the suite's own machinery
// (the leak check, testNeeding). The child is bounded: past its time it is SIGKILLed by its
// handle, and a test that ends first (its own timeout) ends it in `stopChildVitests`.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
// A fixture suite takes seconds; minutes on a machine whose two cores are kept busy.
const CHILD_TIMEOUT_MS = 120_000;
/** For the tests that run a child: the child's bound, plus time to report. */
export const CHILD_TEST_TIMEOUT_MS = CHILD_TIMEOUT_MS + 30_000;

export interface ChildVitest {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
}

type Child = ChildProcessByStdio<null, Readable, Readable>;
const running = new Set<Child>();

/**
 * Runs `vitest run --config <config> ...args` from the checkout's root with `env` (nothing
 * of this process's environment is added). Rejects, after SIGKILLing it, when the child has
 * not exited within its bound.
 */
export async function runChildVitest(
  config: string,
  env: NodeJS.ProcessEnv,
  args: readonly string[] = [],
): Promise<ChildVitest> {
  const child = spawn(process.execPath, [VITEST, 'run', '--config', config, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const bound = { passed: false };
  // Our own child, not reaped before 'close': its pid is ours to SIGKILL.
  const timer = setTimeout(() => {
    bound.passed = true;
    child.kill('SIGKILL');
  }, CHILD_TIMEOUT_MS);
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (exitCode, exitSignal) => {
          resolve([exitCode, exitSignal]);
        });
      },
    );
    if (bound.passed)
      throw new Error(`child vitest (${config}) still ran after ${CHILD_TIMEOUT_MS} ms: ${output}`);
    return { code, signal, output };
  } finally {
    clearTimeout(timer);
    running.delete(child);
  }
}

/** SIGKILLs every child vitest still running (by its handle), for an afterEach. */
export function stopChildVitests(): void {
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.clear();
}
