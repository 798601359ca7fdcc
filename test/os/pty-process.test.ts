// The PTY backend against real terminals, including the Linux output-tail race.
import { expect, test } from 'vitest';
import { launchPty } from '../../src/os/pty-process.js';
import type { ProcessExit, ProcessHandle } from '../../src/os/process-handle.js';

function run(
  file: string,
  args: string[],
): { handle: ProcessHandle; done: Promise<{ output: Buffer; exit: ProcessExit }> } {
  const handle = launchPty({
    file,
    args,
    cwd: '/',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cols: 80,
    rows: 24,
    stdin: 'pipe',
  });
  const chunks: Buffer[] = [];
  handle.onData((chunk) => chunks.push(chunk));
  const done = new Promise<{ output: Buffer; exit: ProcessExit }>((resolve) => {
    handle.onExit((exit) => {
      resolve({ output: Buffer.concat(chunks), exit });
    });
  });
  return { handle, done };
}

// node-pty alone lost the tail of such output in about half of the runs on this machine.
test('a fast-exiting program never loses the tail of its output (30 runs)', async () => {
  const script = 'i=0; while [ $i -lt 400 ]; do echo "0123456789 line $i"; i=$((i+1)); done';
  for (let attempt = 0; attempt < 30; attempt++) {
    const { output, exit } = await run('/bin/sh', ['-c', script]).done;
    expect(exit).toEqual({ exitCode: 0, signal: null });
    expect(output.length, `attempt ${attempt}`).toBe(8290);
    expect(output.toString()).toMatch(/line 399\r\n$/);
  }
});

test('reports exit codes and signals by name', async () => {
  expect((await run('/bin/sh', ['-c', 'exit 7']).done).exit).toEqual({ exitCode: 7, signal: null });
  expect((await run('/bin/sh', ['-c', 'kill -SEGV $$']).done).exit).toEqual({
    exitCode: null,
    signal: 'SIGSEGV',
  });
});

test('passes raw bytes through, counting bytes and not characters', async () => {
  const { output } = await run('/usr/bin/printf', ['h\\303\\251llo']).done;
  expect(output).toEqual(Buffer.from('héllo'));
});
