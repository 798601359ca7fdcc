// How the dashboard words restarts (src/dashboard/assets/run-text.js, the page's own module,
// loaded here in Node: it touches no DOM): the backoff countdown at its boundaries, the
// restart facts of a run, what a run held by its group waits for, and exits, a restart
// policy that gave up included.
import { expect, test } from 'vitest';
import type { RunExit, RunInfo } from '../../src/index.js';

type Part = [string, string];
/** The module's exports, as the page calls them. */
interface RunText {
  countdownText: (nextStartAt: number, now: number) => string;
  heldText: (run: Partial<RunInfo>, now: number) => string;
  restartParts: (run: Partial<RunInfo>, now: number, long?: boolean) => Part[];
  exitText: (exit: RunExit | null, run?: Partial<RunInfo>) => string;
}

// Plain browser JavaScript with no type declarations: loaded by URL, typed above.
const runText = (await import(
  new URL('../../src/dashboard/assets/run-text.js', import.meta.url).href
)) as RunText;

const NOW = 1_800_000_000_000;
const POLICY = {
  restart: 'on-failure',
  restartDelayMs: 8000,
  maxRestartDelayMs: 30_000,
  maxRestarts: 5,
  restartWindowMs: 600_000,
} as const;
const EXIT: RunExit = {
  reason: 'exit',
  exitCode: 0,
  signal: null,
  durationMs: 10,
  timedOut: false,
  noOutputTimedOut: false,
  forced: false,
  error: null,
  survivors: [],
  restarts: 0,
};

test('the countdown rounds up, never reads 0s while time is left, and says when it is due', () => {
  const { countdownText } = runText;
  expect(countdownText(NOW + 3000, NOW)).toBe('restarts in 3s');
  expect(countdownText(NOW + 2001, NOW)).toBe('restarts in 3s');
  expect(countdownText(NOW + 1, NOW)).toBe('restarts in 1s');
  expect(countdownText(NOW + 90_000, NOW)).toBe('restarts in 1m 30s');
  expect(countdownText(NOW + 7_260_000, NOW)).toBe('restarts in 2h 1m');
  // Due (or overdue, the next generation being started): no "0s", no negative time.
  expect(countdownText(NOW, NOW)).toBe('restarting now…');
  expect(countdownText(NOW - 5000, NOW)).toBe('restarting now…');
});

test('restart facts: countdown in backoff, count when > 0, generation and policy', () => {
  const { restartParts } = runText;
  const waiting = {
    ...POLICY,
    state: 'backoff',
    restarts: 1,
    generation: 2,
    nextStartAt: NOW + 12_500,
  } as const;
  expect(restartParts(waiting, NOW)).toEqual([
    ['countdown', 'restarts in 13s'],
    ['count', '1 restart'],
    ['generation', 'gen 2'],
    ['policy', 'on-failure, ≤5 in 10m'],
  ]);
  expect(restartParts(waiting, NOW, true)).toEqual([
    ['countdown', 'restarts in 13s'],
    ['count', '1 restart'],
    ['generation', 'generation 2'],
    ['policy', 'on-failure: at most 5 restarts in 10m, delay 8s doubling up to 30s'],
  ]);
  // The first backoff: no restart done yet, so no count.
  const first = { ...waiting, restarts: 0, generation: 1 };
  expect(restartParts(first, NOW).map(([part]) => part)).toEqual([
    'countdown',
    'generation',
    'policy',
  ]);
  const running = {
    ...POLICY,
    state: 'running',
    restarts: 3,
    generation: 4,
    nextStartAt: null,
  } as const;
  expect(restartParts(running, NOW)[0]).toEqual(['count', '3 restarts']);
  // No policy (or a daemon older than restart policies): nothing to show.
  const plain = { state: 'running', restart: 'never', restarts: 0, generation: 1 } as const;
  expect(restartParts(plain, NOW)).toEqual([]);
  expect(restartParts({ state: 'running' }, NOW)).toEqual([]);
});

test('a held run waits for its group, with a countdown only while its start time is ahead', () => {
  const { heldText, restartParts } = runText;
  // Failed in a group: its group starts it again at `nextStartAt` (its own delay).
  const failed = {
    ...POLICY,
    state: 'held',
    group: 'agent-1',
    restarts: 1,
    generation: 2,
    nextStartAt: NOW + 12_500,
  } as const;
  expect(heldText(failed, NOW)).toBe('waits for group agent-1, restarts in 13s');
  expect(restartParts(failed, NOW)).toEqual([
    ['held', 'waits for group agent-1, restarts in 13s'],
    ['count', '1 restart'],
    ['generation', 'gen 2'],
    ['policy', 'on-failure, ≤5 in 10m'],
  ]);
  // Its time passed, or it was stopped for a sibling's restart (its time is when it ended):
  // the group decides when, so no countdown, never "restarting now…".
  expect(heldText(failed, NOW + 12_500)).toBe('waits for group agent-1');
  const stopped = { state: 'held', group: 'agent-1/mcp', restart: 'never', restarts: 0 } as const;
  expect(restartParts({ ...stopped, nextStartAt: NOW - 3000 }, NOW)).toEqual([
    ['held', 'waits for group agent-1/mcp'],
  ]);
  expect(restartParts({ ...stopped, nextStartAt: null }, NOW, true)).toEqual([
    ['held', 'waits for group agent-1/mcp'],
  ]);
  // Without its group's path (it cannot happen for a held run, but the page must not break).
  expect(heldText({ state: 'held', nextStartAt: null }, NOW)).toBe('waits for its group');
  // Not held: nothing of the kind.
  expect(restartParts({ ...failed, state: 'running', nextStartAt: null }, NOW)[0]).toEqual([
    'count',
    '1 restart',
  ]);
});

test('exits: unchanged without restarts, counted with them, a restart limit worded', () => {
  const { exitText } = runText;
  expect(exitText(null)).toBe('');
  expect(exitText(EXIT)).toBe('exit 0');
  const cancelled = { ...EXIT, reason: 'cancelled', exitCode: null, signal: 'SIGTERM' } as const;
  expect(exitText({ ...cancelled, forced: true })).toBe('cancelled SIGTERM (forced)');
  expect(exitText({ ...cancelled, restarts: 1 })).toBe('cancelled SIGTERM (after 1 restart)');
  // Cancelled in backoff: the code is the last generation's, said so.
  const inBackoff: RunExit = { ...EXIT, reason: 'cancelled', exitCode: 3, restarts: 1 };
  expect(exitText(inBackoff, POLICY)).toBe('cancelled (last exit 3, after 1 restart)');
  expect(exitText({ ...inBackoff, exitCode: null, signal: 'SIGTERM' }, POLICY)).toBe(
    'cancelled (last signal SIGTERM, after 1 restart)',
  );
  expect(exitText({ ...EXIT, exitCode: 1, restarts: 2 }, POLICY)).toBe('exit 1 (after 2 restarts)');
  const limit: RunExit = { ...EXIT, reason: 'restart-limit', exitCode: 3, restarts: 5 };
  expect(exitText(limit, POLICY)).toBe(
    'restart-limit: gave up after 5 restarts (at most 5 in 10m), last exit 3',
  );
  expect(exitText({ ...limit, exitCode: null, signal: 'SIGSEGV' })).toBe(
    'restart-limit: gave up after 5 restarts, last signal SIGSEGV',
  );
});
