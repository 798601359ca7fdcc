// Deadlines with real processes. A manual clock (the supervisor's `clock` option) decides
// when time passes, so every deadline is checked against the absolute time it must fire
// at, and nothing depends on how fast the machine is; one test keeps the system clock.
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import type { RunHandle, SupervisorEvent } from '../../src/index.js';
import { ManualClock } from '../support/manual-clock.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { waitUntil } from '../support/wait-for.js';

const createSupervisor = useSupervisors();
const CONTROLLABLE = fileURLToPath(new URL('../fixtures/controllable.mjs', import.meta.url));
const T0 = 1_800_000_000_000;

/** Waits until the machine counted output read at `at` (its OUTPUT event arrived). */
async function outputSeenAt(run: RunHandle, text: string, at: number): Promise<void> {
  await waitUntil(
    () => run.output().text.includes(text) && run.info().lastOutputAt === at,
    10_000,
    `"${text}" counted at ${at}`,
  );
}

test('with the system clock, timeoutMs ends a run once its absolute deadline has passed', async () => {
  const sup = await createSupervisor();
  const run = await sup.spawn({ command: 'sleep', args: ['30'], timeoutMs: 200 });
  const { startedAt, deadlines } = run.info();
  expect(deadlines.timeoutAt).toBe((startedAt ?? Number.NaN) + 200);
  const exit = await run.exited;
  expect(exit).toMatchObject({ reason: 'timeout', timedOut: true, noOutputTimedOut: false });
  // Never before the deadline (however late the machine lets the timer fire).
  expect(exit.durationMs).toBeGreaterThanOrEqual(200);
});

test('timeoutMs fires at exactly startedAt + timeoutMs', async () => {
  const clock = new ManualClock(T0);
  const sup = await createSupervisor({ clock });
  const run = await sup.spawn({ command: 'sleep', args: ['30'], timeoutMs: 200 });
  expect(run.info()).toMatchObject({
    startedAt: T0,
    deadlines: { timeoutAt: T0 + 200, noOutputAt: null },
  });
  clock.advanceTo(T0 + 199);
  expect(run.state).toBe('running');
  clock.advanceTo(T0 + 200);
  expect(await run.exited).toMatchObject({
    reason: 'timeout',
    timedOut: true,
    noOutputTimedOut: false,
    durationMs: 200,
  });
  expect(run.info().endedAt).toBe(T0 + 200);
});

test('noOutputTimeoutMs is re-armed by every output chunk', async () => {
  const clock = new ManualClock(T0);
  const sup = await createSupervisor({ clock });
  // Prints a line on each "out" from the test, and nothing else.
  const run = await sup.spawn({
    command: process.execPath,
    args: [CONTROLLABLE],
    noOutputTimeoutMs: 400,
  });
  await outputSeenAt(run, 'ready\n', T0);
  expect(run.info().deadlines.noOutputAt).toBe(T0 + 400);

  clock.advanceTo(T0 + 300);
  run.write('out\n');
  await outputSeenAt(run, 'line 1\n', T0 + 300);
  expect(run.info().deadlines.noOutputAt).toBe(T0 + 700);
  clock.advanceTo(T0 + 600); // past the first deadline: re-armed, so still running
  expect(run.state).toBe('running');

  run.write('out\n');
  await outputSeenAt(run, 'line 2\n', T0 + 600);
  expect(run.info().deadlines.noOutputAt).toBe(T0 + 1000);
  clock.advanceTo(T0 + 999);
  expect(run.state).toBe('running');
  clock.advanceTo(T0 + 1000);
  expect(await run.exited).toMatchObject({
    reason: 'no-output-timeout',
    noOutputTimedOut: true,
    timedOut: false,
    durationMs: 1000,
  });
  expect(run.output().text).toMatch(/^ready\nline 1\nline 2\n/);
});

test('a PTY run given no timeout at all gets the supervisor default no-output timeout', async () => {
  const clock = new ManualClock(T0);
  const sup = await createSupervisor({ defaultNoOutputTimeoutMs: 300, clock });
  const run = await sup.spawn({ mode: 'pty', command: 'sleep', args: ['30'] });
  expect(run.info()).toMatchObject({
    noOutputTimeoutMs: 300,
    timeoutMs: null,
    deadlines: { timeoutAt: null, noOutputAt: T0 + 300 },
  });
  clock.advanceTo(T0 + 299);
  expect(run.state).toBe('running');
  clock.advanceTo(T0 + 300);
  expect(await run.exited).toMatchObject({ reason: 'no-output-timeout', durationMs: 300 });
});

test('an explicit 0 opts a PTY run out of the default', async () => {
  const clock = new ManualClock(T0);
  const sup = await createSupervisor({ defaultNoOutputTimeoutMs: 300, clock });
  const run = await sup.spawn({
    mode: 'pty',
    command: 'sleep',
    args: ['30'],
    noOutputTimeoutMs: 0,
    timeoutMs: 900,
  });
  expect(run.info()).toMatchObject({
    noOutputTimeoutMs: null,
    deadlines: { timeoutAt: T0 + 900, noOutputAt: null },
  });
  clock.advanceTo(T0 + 300); // the default would have ended it here
  expect(run.state).toBe('running');
  clock.advanceTo(T0 + 899);
  expect(run.state).toBe('running');
  clock.advanceTo(T0 + 900);
  expect(await run.exited).toMatchObject({ reason: 'timeout', durationMs: 900 });
});

test('a run goes idle without output and back to running on output', async () => {
  const clock = new ManualClock(T0);
  const sup = await createSupervisor({ clock });
  const states: string[] = [];
  sup.onEvent((event: SupervisorEvent) => {
    if (event.type === 'run.state') states.push(event.to);
  });
  const run = await sup.spawn({
    command: 'sh',
    args: ['-c', 'read x; echo "$x"; read y'],
    idleAfterMs: 150,
  });
  expect(run.info().deadlines.idleAt).toBe(T0 + 150);
  clock.advanceTo(T0 + 149);
  expect(run.state).toBe('running');
  clock.advanceTo(T0 + 150);
  expect(run.state).toBe('idle');

  clock.advanceTo(T0 + 400);
  run.write('wake\n');
  await outputSeenAt(run, 'wake', T0 + 400);
  expect(run.state).toBe('running');
  expect(run.info().deadlines.idleAt).toBe(T0 + 550);
  clock.advanceTo(T0 + 549);
  expect(run.state).toBe('running');
  clock.advanceTo(T0 + 550);
  expect(run.state).toBe('idle');

  run.write('bye\n');
  expect((await run.exited).reason).toBe('exit');
  expect(states).toEqual([
    'recording',
    'spawning',
    'running',
    'idle',
    'running',
    'idle',
    'finalizing',
    'done',
  ]);
});
