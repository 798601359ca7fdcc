// Deadlines with real processes and real time (small values; assertions never on speed).
import { expect, test } from 'vitest';
import type { SupervisorEvent } from '../../src/index.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { waitUntil } from '../support/wait-for.js';

const createSupervisor = useSupervisors();

test('timeoutMs ends a run with reason timeout', async () => {
  const sup = await createSupervisor();
  const run = await sup.spawn({ command: 'sleep', args: ['30'], timeoutMs: 200 });
  expect(await run.exited).toMatchObject({
    reason: 'timeout',
    timedOut: true,
    noOutputTimedOut: false,
  });
});

test('noOutputTimeoutMs is re-armed by every output chunk', async () => {
  const sup = await createSupervisor();
  // Prints every 100 ms for ~0.6 s, then goes silent.
  const run = await sup.spawn({
    command: 'sh',
    args: ['-c', 'for i in 1 2 3 4 5 6; do echo $i; sleep 0.1; done; sleep 30'],
    noOutputTimeoutMs: 400,
  });
  const exit = await run.exited;
  expect(exit).toMatchObject({
    reason: 'no-output-timeout',
    noOutputTimedOut: true,
    timedOut: false,
  });
  expect(run.output().text.trim().split('\n')).toEqual(['1', '2', '3', '4', '5', '6']);
  expect(exit.durationMs).toBeGreaterThanOrEqual(900);
});

test('a PTY run given no timeout at all gets the supervisor default no-output timeout', async () => {
  const sup = await createSupervisor({ defaultNoOutputTimeoutMs: 300 });
  const run = await sup.spawn({ mode: 'pty', command: 'sleep', args: ['30'] });
  expect(run.info().noOutputTimeoutMs).toBe(300);
  expect((await run.exited).reason).toBe('no-output-timeout');
});

test('an explicit 0 opts a PTY run out of the default', async () => {
  const sup = await createSupervisor({ defaultNoOutputTimeoutMs: 300 });
  const run = await sup.spawn({
    mode: 'pty',
    command: 'sleep',
    args: ['30'],
    noOutputTimeoutMs: 0,
    timeoutMs: 900,
  });
  expect(run.info().noOutputTimeoutMs).toBeNull();
  expect((await run.exited).reason).toBe('timeout');
});

test('a run goes idle without output and back to running on output', async () => {
  const sup = await createSupervisor();
  const states: string[] = [];
  sup.onEvent((event: SupervisorEvent) => {
    if (event.type === 'run.state') states.push(event.to);
  });
  const run = await sup.spawn({
    command: 'sh',
    args: ['-c', 'read x; echo "$x"; read y'],
    idleAfterMs: 150,
  });
  await waitUntil(() => run.state === 'idle', 5000, 'idle');
  run.write('wake\n');
  await waitUntil(() => run.output().text.includes('wake'), 5000, 'echo');
  await waitUntil(
    () => states.lastIndexOf('running') > states.indexOf('idle'),
    5000,
    'running again',
  );
  run.write('bye\n');
  expect((await run.exited).reason).toBe('exit');
  expect(states.slice(0, 5)).toEqual(['replacing', 'spawning', 'running', 'idle', 'running']);
  expect(states.slice(-2)).toEqual(['finalizing', 'done']);
});
