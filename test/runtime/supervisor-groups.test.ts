// Groups on a real supervisor: an agent session (an agent, two MCP helpers, a dev server)
// as a group of real processes. Each member logs its starts and its SIGTERMs to one file,
// so the log shows the order the group stopped them in.
import { afterEach, expect, test } from 'vitest';
import type { RunHandle, Supervisor } from '../../src/index.js';
import { sessionLog } from '../support/group-fixtures.js';
import { liveMarked } from '../support/process-checks.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const create = useSupervisors();
const homes: Array<() => void> = [];
afterEach(() => {
  for (const remove of homes.splice(0)) remove();
});

const MEMBERS = ['agent', 'mcp-a', 'mcp-b', 'dev'] as const;

async function session(strategy: 'one-for-one' | 'one-for-all' | 'rest-for-one', maxRestarts = 5) {
  const home = createTempHome('runwarden-groups-');
  homes.push(home.remove);
  const sup = await create({ home: home.path });
  const log = sessionLog(home.path);
  const group = await sup.group('agent-1', { strategy, maxRestarts });
  const runs: Record<string, RunHandle> = {};
  for (const name of MEMBERS) runs[name] = await group.spawn(log.member(name));
  await waitUntil(() => log.lines().length === MEMBERS.length, 10_000, 'every member started');
  return { sup, log, group, runs };
}

const generation = (sup: Supervisor, run: RunHandle) => sup.get(run.id)?.generation;
const allRunning = (sup: Supervisor, runs: Record<string, RunHandle>, gen: number) => () =>
  Object.values(runs).every(
    (run) => sup.get(run.id)?.state === 'running' && generation(sup, run) === gen,
  );

test('one-for-all: a failed helper stops every sibling, last started first, then all start again', async () => {
  const { sup, log, group, runs } = await session('one-for-all');
  const states: string[] = [];
  sup.onEvent((event) => {
    if (event.type === 'group.state') states.push(`${event.from ?? '-'}>${event.to}`);
  });
  const before = Object.fromEntries(MEMBERS.map((name) => [name, runs[name]?.pid]));
  log.fail('mcp-a');
  await waitUntil(allRunning(sup, runs, 2), 15_000, 'every member in generation 2');
  const stops = log.lines().filter((line) => line.startsWith('stop'));
  // The failed one exited by itself; the others were stopped newest first, one at a time.
  expect(stops).toEqual(['stop dev', 'stop mcp-b', 'stop agent']);
  for (const name of MEMBERS) {
    expect(sup.get(runs[name]?.id ?? '')).toMatchObject({ restarts: 1, generation: 2 });
    expect(runs[name]?.pid).not.toBe(before[name]);
  }
  // Started again in start order: each one's process existed before the next was started.
  const started = MEMBERS.map((name) => sup.get(runs[name]?.id ?? '')?.startedAt ?? 0);
  expect([...started].sort((a, b) => a - b)).toEqual(started);
  expect(group.info()).toMatchObject({ strategy: 'one-for-all', restarts: 1, state: 'active' });
  // Reported as a `group.state` event each time its public state changed.
  expect(states).toEqual(['active>restarting', 'restarting>active']);
  expect(group.runs().map((run) => run.id)).toEqual(MEMBERS.map((name) => runs[name]?.id));
  for (const name of MEMBERS) {
    const old = before[name];
    if (old !== undefined && old !== null) expect(isAlive(old)).toBe(false);
  }
});

test('rest-for-one: the failed helper and those started after it restart; earlier ones keep going', async () => {
  const { sup, log, runs } = await session('rest-for-one');
  const agentPid = runs.agent?.pid;
  log.fail('mcp-a');
  await waitUntil(
    () => ['mcp-a', 'mcp-b', 'dev'].every((name) => generation(sup, runs[name] as RunHandle) === 2),
    15_000,
    'the rest in generation 2',
  );
  await waitUntil(
    allRunning(
      sup,
      { a: runs['mcp-a'] as RunHandle, b: runs['mcp-b'] as RunHandle, d: runs.dev as RunHandle },
      2,
    ),
    15_000,
    'the rest running',
  );
  expect(log.lines().filter((line) => line.startsWith('stop'))).toEqual(['stop dev', 'stop mcp-b']);
  expect(sup.get(runs.agent?.id ?? '')).toMatchObject({
    generation: 1,
    restarts: 0,
    pid: agentPid,
  });
});

test('one-for-one: only the failed helper restarts', async () => {
  const { sup, log, group, runs } = await session('one-for-one');
  log.fail('mcp-b');
  await waitUntil(() => generation(sup, runs['mcp-b'] as RunHandle) === 2, 15_000, 'mcp-b again');
  await waitUntil(
    () => sup.get(runs['mcp-b']?.id ?? '')?.state === 'running',
    15_000,
    'mcp-b running',
  );
  expect(log.lines().filter((line) => line.startsWith('stop'))).toEqual([]);
  for (const name of ['agent', 'mcp-a', 'dev'])
    expect(generation(sup, runs[name] as RunHandle)).toBe(1);
  expect(group.info()?.restarts).toBe(1);
  expect(group.info()?.restartedAt).toHaveLength(1);
});

test('past its intensity a top-level group stops its runs, last started first, and they end for good', async () => {
  const { sup, log, group, runs } = await session('one-for-one', 1);
  log.fail('mcp-a');
  await waitUntil(
    () => generation(sup, runs['mcp-a'] as RunHandle) === 2,
    15_000,
    'the first restart',
  );
  await waitUntil(
    () => sup.get(runs['mcp-a']?.id ?? '')?.state === 'running',
    15_000,
    'running again',
  );
  log.fail('mcp-a');
  const exits = await Promise.all(MEMBERS.map((name) => (runs[name] as RunHandle).exited));
  for (const exit of exits) expect(exit.reason).toBe('restart-limit');
  expect(log.lines().filter((line) => line.startsWith('stop'))).toEqual([
    'stop dev',
    'stop mcp-b',
    'stop agent',
  ]);
  await waitUntil(() => group.info() === undefined, 10_000, 'the group gone');
  expect(sup.groups()).toEqual([]);
  for (const run of Object.values(runs)) expect(liveMarked(run.id)).toEqual([]);
});

test('cancelling a group ends its subtree in reverse start order, each tree verified dead', async () => {
  const { sup, log, group, runs } = await session('one-for-one');
  const nested = await group.group('tools');
  const tool = await nested.spawn(log.member('tool'));
  await waitUntil(() => log.lines().includes('start tool 1'), 10_000, 'the tool started');
  const exits = await group.cancel();
  expect(exits.map((exit) => exit.reason)).toEqual(Array(5).fill('cancelled'));
  // The nested group was started last: its subtree goes first.
  expect(log.lines().filter((line) => line.startsWith('stop'))).toEqual([
    'stop tool',
    'stop dev',
    'stop mcp-b',
    'stop mcp-a',
    'stop agent',
  ]);
  for (const id of [...Object.values(runs).map((run) => run.id), tool.id]) {
    expect(liveMarked(id)).toEqual([]);
    expect(sup.get(id)?.state).toBe('done');
  }
  expect(sup.groups()).toEqual([]);
});

test('one-for-all: a sibling with restart never is stopped and not started again (OTP temporary)', async () => {
  const home = createTempHome('runwarden-groups-');
  homes.push(home.remove);
  const sup = await create({ home: home.path });
  const log = sessionLog(home.path);
  const group = await sup.group('g', { strategy: 'one-for-all' });
  const worker = await group.spawn(log.member('worker'));
  const once = await group.spawn(log.member('once', { restart: 'never' }));
  await waitUntil(() => log.lines().length === 2, 10_000, 'both started');
  log.fail('worker');
  expect(await once.exited).toMatchObject({ reason: 'shutdown', restarts: 0 });
  await waitUntil(() => sup.get(worker.id)?.generation === 2, 10_000, 'the worker again');
  expect(group.runs().map((run) => run.id)).toEqual([worker.id]);
  expect(log.lines().filter((line) => line.startsWith('start once'))).toHaveLength(1);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
