import { expect, test } from 'vitest';
import { useSupervisors } from '../support/supervisor-harness.js';

const createSupervisor = useSupervisors();

test('smoke child', async () => {
  const sup = await createSupervisor();
  const run = await sup.spawn({ command: 'sh', args: ['-c', 'echo hello; exit 3'] });
  const exit = await run.exited;
  console.log(exit, run.output().text, run.state);
  expect(exit.exitCode).toBe(3);
});

test('smoke pty', async () => {
  const sup = await createSupervisor();
  const run = await sup.spawn({ mode: 'pty', command: 'sh', args: ['-c', 'echo hello; exit 3'] });
  const exit = await run.exited;
  console.log(exit, JSON.stringify(run.output().text), run.state);
  expect(exit.exitCode).toBe(3);
});

test('escapees', async () => {
  const sup = await createSupervisor();
  const run = await sup.spawn({
    command: 'bash',
    args: ['-c', '(sleep 61 &); (setsid sleep 62 &); trap "" TERM; sleep 63'],
    killGraceMs: 500,
  });
  await new Promise((r) => setTimeout(r, 300));
  const events: unknown[] = [];
  sup.onEvent((e) => events.push(e));
  const exit = await run.cancel();
  console.log(exit, JSON.stringify(events, null, 1));
});
