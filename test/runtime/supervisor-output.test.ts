// Output capture, offsets, input and terminal size, with real PTYs and child processes.
import { describe, expect, test } from 'vitest';
import { useSupervisors } from '../support/supervisor-harness.js';
import { waitUntil } from '../support/wait-for.js';

const createSupervisor = useSupervisors();

describe.each(['pty', 'child'] as const)('%s mode', (mode) => {
  test('captures output; offsets let a poller read every byte exactly once', async () => {
    const sup = await createSupervisor();
    const run = await sup.spawn({
      mode,
      command: 'sh',
      args: ['-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i"; sleep 0.02; done'],
    });
    let polled = '';
    let since = 0;
    while (run.state !== 'done') {
      const slice = run.output({ since });
      polled += slice.text;
      since = slice.nextOffset;
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    polled += run.output({ since }).text;
    const exit = await run.exited;
    expect(exit).toMatchObject({ reason: 'exit', exitCode: 0, signal: null, forced: false });
    const lines = polled.split(/\r?\n/).filter(Boolean);
    expect(lines).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 1}`));
    expect(run.output().text).toBe(polled);
    expect(run.info().outputBytes).toBe(Buffer.byteLength(polled));
  });

  test('onOutput delivers chunks with absolute offsets, until unsubscribed', async () => {
    const sup = await createSupervisor();
    const chunks: Array<{ offset: number; text: string }> = [];
    const run = await sup.spawn({
      mode,
      command: 'sh',
      args: ['-c', 'read x; echo "got $x"; read y'],
    });
    const unsubscribe = run.onOutput((chunk, offset) =>
      chunks.push({ offset, text: chunk.toString() }),
    );
    run.write('hello\n');
    await waitUntil(
      () =>
        chunks
          .map((c) => c.text)
          .join('')
          .includes('got hello'),
      5000,
      'echo',
    );
    unsubscribe();
    const seen = chunks.length;
    run.write('bye\n');
    await run.exited;
    expect(chunks.length).toBe(seen);
    let expected = chunks[0]?.offset ?? 0;
    for (const chunk of chunks) {
      expect(chunk.offset).toBe(expected);
      expected += Buffer.byteLength(chunk.text);
    }
  });

  test('keeps only maxOutputBytes, but offsets stay absolute', async () => {
    const sup = await createSupervisor();
    const run = await sup.spawn({
      mode,
      command: 'sh',
      args: ['-c', 'i=0; while [ $i -lt 400 ]; do echo "0123456789 line $i"; i=$((i+1)); done'],
      maxOutputBytes: 1024,
    });
    await run.exited;
    const all = run.output();
    expect(all.data.length).toBe(1024);
    expect(all.offset).toBe(run.info().outputBytes - 1024);
    expect(all.droppedBytes).toBe(all.offset);
    expect(all.text).toContain('line 399');
  });
});

test('a PTY run can be resized, and sees the new size', async () => {
  const sup = await createSupervisor();
  const run = await sup.spawn({
    mode: 'pty',
    command: 'sh',
    args: ['-c', 'stty size; read x; stty size'],
    cols: 80,
    rows: 24,
  });
  await waitUntil(() => run.output().text.includes('24 80'), 5000, 'first size');
  run.resize(132, 50);
  run.write('\n');
  await run.exited;
  expect(run.output().text).toContain('50 132');
});

test('a child run without stdin cannot be written to, and resize needs a PTY', async () => {
  const sup = await createSupervisor();
  const run = await sup.spawn({ command: 'sleep', args: ['5'], stdin: 'ignore' });
  expect(() => {
    run.write('x');
  }).toThrow(TypeError);
  expect(() => {
    run.resize(10, 10);
  }).toThrow(/PTY/);
  await run.cancel();
  expect(() => {
    run.write('x');
  }).toThrow(/cannot write to run .*: it is done/);
});
