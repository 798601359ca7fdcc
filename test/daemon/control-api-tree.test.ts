// `GET /v1/tree` over the built daemon's Unix socket: the supervisor actor over its live run
// actors (state, command, pid, scope), oldest first; a run leaves the tree when it ends,
// however it ends; the next daemon's tree holds the run it adopted.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { RunInfo, RunTreeNode, SupervisorTree } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { liveMarked } from '../support/process-checks.js';
import { callJson } from '../support/raw-request.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups, tempHome } = useBuiltCli('runwarden-tree-');
// No run here turns idle while the test looks at it, however busy the cores are.
const NEVER_IDLE = { idleAfterMs: 600_000 };

async function treeOf(socket: string): Promise<SupervisorTree> {
  const answer = await callJson(socket, 'GET', '/v1/tree');
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(Object.keys(answer.body as object)).toEqual(['tree']);
  return (answer.body as { tree: SupervisorTree }).tree;
}

async function spawnRun(socket: string, spec: Record<string, unknown>): Promise<RunInfo> {
  const answer = await callJson(socket, 'POST', '/v1/runs', { spec: { ...spec, ...NEVER_IDLE } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return (answer.body as { run: RunInfo }).run;
}

function runNode(run: RunInfo, state = 'running'): RunTreeNode {
  return {
    kind: 'run',
    id: run.id,
    state: state as RunTreeNode['state'],
    command: run.command,
    pid: run.pid,
    scopeKey: run.scopeKey,
    restarts: run.restarts,
    generation: run.generation,
  };
}

test('the supervisor over its live runs; each leaves the tree as it ends', async () => {
  const home = tempHome();
  const socket = join(home, 'default.sock');
  const { daemon } = await startDaemon(home);
  cleanups.push(async () => {
    expect(await stopDaemon(daemon)).toBe(0);
  });
  const root = { kind: 'supervisor', name: 'default', state: 'active', storeHealth: 'ok' };
  expect(await treeOf(socket)).toEqual({ ...root, children: [] });

  const sleeper = await spawnRun(socket, { command: 'sleep', args: ['60'], scopeKey: 'web' });
  const reader = await spawnRun(socket, {
    mode: 'pty',
    command: 'sh',
    args: ['-c', 'read line; exit 0'],
  });
  const cancelled = await spawnRun(socket, { command: 'sleep', args: ['61'], scopeKey: 'job' });
  expect(sleeper.pid).toBeGreaterThan(0);
  expect(await treeOf(socket)).toEqual({
    ...root,
    children: [runNode(sleeper), runNode(reader), runNode(cancelled)],
  });

  // Cancelled: gone from the tree by the time the cancel answers.
  expect((await runCli(home, ['kill', cancelled.id])).stdout).toBe('cancelled\n');
  expect(await treeOf(socket)).toEqual({ ...root, children: [runNode(sleeper), runNode(reader)] });
  // Ended by itself: gone once its exit is recorded.
  expect((await runCli(home, ['send', reader.id, 'bye\n'])).code).toBe(0);
  await waitUntil(
    async () => (await treeOf(socket)).children.length === 1,
    15_000,
    'the reader to leave the tree',
  );
  expect(await treeOf(socket)).toEqual({ ...root, children: [runNode(sleeper)] });
  // Finished runs are still listed; the tree holds live actors only.
  const all = (await callJson(socket, 'GET', '/v1/runs?all=true')).body as { runs: RunInfo[] };
  expect(all.runs.map((run) => [run.id, run.state])).toEqual([
    [sleeper.id, 'running'],
    [reader.id, 'done'],
    [cancelled.id, 'done'],
  ]);

  for (const [method, path] of [
    ['POST', '/v1/tree'],
    ['GET', '/v1/tree/x'],
  ] as const) {
    const refused = await callJson(socket, method, path);
    expect(refused.status, `${method} ${path}`).toBe(404);
    expect(refused.body).toMatchObject({ error: { code: 'E_NO_ROUTE' } });
  }
}, 60_000);

test("the next daemon's tree holds the run it adopted, with the same pid", async () => {
  const home = tempHome();
  const socket = join(home, 'default.sock');
  const first = await startDaemon(home);
  cleanups.push(() => stopDaemon(first.daemon, 'SIGKILL'));
  const left = await spawnRun(socket, {
    command: 'sleep',
    args: ['60'],
    scopeKey: 'kept',
    onOrphan: 'reattach',
  });
  expect((await runCli(home, ['stop', '--leave'])).code).toBe(0);
  expect(liveMarked(left.id)).toHaveLength(1);

  const second = await startDaemon(home);
  cleanups.push(async () => {
    expect(await stopDaemon(second.daemon)).toBe(0);
  });
  expect(second.report).toMatchObject({ reattached: [left.id] });
  expect(await treeOf(socket)).toEqual({
    kind: 'supervisor',
    name: 'default',
    state: 'active',
    storeHealth: 'ok',
    children: [runNode(left)],
  });
  expect((await runCli(home, ['kill', left.id])).code).toBe(0);
  expect((await treeOf(socket)).children).toEqual([]);
  expect(liveMarked(left.id)).toEqual([]);
}, 60_000);
