// The leak check spares vitest's own pool workers (alive during the global teardown, with
// the suite's tag) and nothing else: recognised by parent and entry point, tried here on
// this very test file's worker and on a child of it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect, test } from 'vitest';
import { isVitestWorker } from '../support/global-marker-check.js';

test("this file's worker is vitest's pool worker, of vitest's main process only", () => {
  // vitest 4's default pool forks workers from its main process: this process is one.
  expect(isVitestWorker(process.pid, process.ppid)).toBe(true);
  expect(isVitestWorker(process.pid, process.pid)).toBe(false);
  expect(isVitestWorker(process.pid, 1)).toBe(false);
});

test('a node process the worker started is not a worker', async () => {
  const child = spawn(
    process.execPath,
    ['-e', "console.log('ready'); setInterval(() => 0, 1000)"],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const exited = once(child, 'exit');
  try {
    await once(child.stdout, 'data');
    const pid = child.pid ?? 0;
    expect(isVitestWorker(pid, process.pid)).toBe(false);
    expect(isVitestWorker(pid, process.ppid)).toBe(false);
  } finally {
    // Our own child, not yet reaped: its pid is ours to SIGKILL.
    child.kill('SIGKILL');
    await exited;
  }
});
