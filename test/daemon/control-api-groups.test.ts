// Groups over the built daemon's control API: `GET/POST /v1/groups` (created with their
// missing parents, the live one returned, conflicting or bad options refused before anything
// is created), `POST /v1/runs` with `group` and `groupOptions`, the groups in `GET /v1/tree`,
// and `POST /v1/groups/<path>/cancel` ending a subtree in reverse start order.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { GroupInfo, RunExit, RunInfo, SupervisorTree } from '../../src/index.js';
import { startDaemon, stopDaemon } from '../support/cli.js';
import { sessionLog } from '../support/group-fixtures.js';
import { liveMarked } from '../support/process-checks.js';
import { callJson, rawRequest } from '../support/raw-request.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups, tempHome } = useBuiltCli('runwarden-api-groups-');
// No run here turns idle while the test looks at it, however busy the cores are.
const NEVER_IDLE = { idleAfterMs: 600_000 };

async function daemonSocket(): Promise<{ home: string; socket: string }> {
  const home = tempHome();
  const { daemon } = await startDaemon(home);
  cleanups.push(async () => {
    expect(await stopDaemon(daemon)).toBe(0);
  });
  return { home, socket: join(home, 'default.sock') };
}

async function groupsOf(socket: string): Promise<GroupInfo[]> {
  const answer = await callJson(socket, 'GET', '/v1/groups');
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return (answer.body as { groups: GroupInfo[] }).groups;
}

async function spawnRun(socket: string, body: Record<string, unknown>): Promise<RunInfo> {
  const answer = await callJson(socket, 'POST', '/v1/runs', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return (answer.body as { run: RunInfo }).run;
}

const refusal = (status: number, code: string, message: RegExp = /./) => ({
  status,
  body: { error: { code, message: expect.stringMatching(message) as string } },
});
const defaults = { strategy: 'one-for-one', maxRestarts: 5, restartWindowMs: 60_000 };

test('POST /v1/groups creates a group and its missing parents, returns the live one, refuses conflicts and bad input', async () => {
  const { socket } = await daemonSocket();
  expect(await groupsOf(socket)).toEqual([]);

  const options = { strategy: 'rest-for-one', maxRestarts: 2, restartWindowMs: 30_000 };
  const created = await callJson(socket, 'POST', '/v1/groups', { path: 'agent-1/mcp', ...options });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const mcp = (created.body as { group: GroupInfo }).group;
  expect(mcp).toEqual({
    id: 'mcp',
    path: 'agent-1/mcp',
    ...options,
    state: 'active',
    restarts: 0,
    restartedAt: [],
    createdAt: expect.any(Number) as number,
    runs: [],
    groups: [],
  });
  // The parent was made with the defaults; parents come first.
  expect(await groupsOf(socket)).toEqual([
    expect.objectContaining({ path: 'agent-1', ...defaults, groups: ['agent-1/mcp'] }),
    mcp,
  ]);
  // The live one is returned, with no options or the same ones.
  for (const body of [{ path: 'agent-1/mcp' }, { path: 'agent-1/mcp', strategy: 'rest-for-one' }])
    expect(await callJson(socket, 'POST', '/v1/groups', body)).toEqual({
      status: 200,
      body: { group: mcp },
    });

  const conflict = await callJson(socket, 'POST', '/v1/groups', {
    path: 'agent-1/mcp',
    strategy: 'one-for-all',
  });
  expect(conflict).toEqual(
    refusal(
      400,
      'E_INVALID_OPTION',
      /^Invalid option `strategy`: expected rest-for-one, as group agent-1\/mcp was created with, received "one-for-all"$/,
    ),
  );
  const invalid: Array<[unknown, string, RegExp]> = [
    [{ path: 'other', strategy: 'sometimes' }, 'E_INVALID_OPTION', /`strategy`.*"sometimes"/],
    // The options are checked before the parent `x` would be created.
    [{ path: 'x/y', maxRestarts: -1 }, 'E_INVALID_OPTION', /`maxRestarts`/],
    [{ path: 'x/y', restartWindowMs: 0 }, 'E_INVALID_OPTION', /`restartWindowMs`/],
    [{ path: 'a//b' }, 'E_INVALID_OPTION', /`group`.*"a\/\/b"/],
    [{ path: '.hidden' }, 'E_INVALID_OPTION', /`group`/],
    [{ path: '' }, 'E_INVALID_OPTION', /`group`/],
    [{}, 'E_BAD_REQUEST', /at path/],
    [{ path: 7 }, 'E_BAD_REQUEST', /at path/],
    [{ path: 'x', maxRestarts: '5' }, 'E_BAD_REQUEST', /at maxRestarts/],
    [{ path: 'x', color: 'red' }, 'E_BAD_REQUEST', /"color"/],
  ];
  for (const [body, code, message] of invalid)
    expect(await callJson(socket, 'POST', '/v1/groups', body), JSON.stringify(body)).toEqual(
      refusal(400, code, message),
    );
  const notJson = await rawRequest(socket, 'POST', '/v1/groups', Buffer.from('{path'));
  expect(notJson.status).toBe(400);
  expect(JSON.parse(notJson.text)).toMatchObject({ error: { code: 'E_BAD_JSON' } });
  expect((await groupsOf(socket)).map((group) => group.path)).toEqual(['agent-1', 'agent-1/mcp']);

  for (const [method, path] of [
    ['PUT', '/v1/groups'],
    ['GET', '/v1/groups/agent-1'],
    ['GET', '/v1/groups/agent-1/cancel'],
    // A path given unencoded is not one segment: no such route.
    ['POST', '/v1/groups/agent-1/mcp/cancel'],
  ] as const)
    expect(await callJson(socket, method, path), `${method} ${path}`).toEqual(
      refusal(404, 'E_NO_ROUTE'),
    );
  expect(await callJson(socket, 'POST', '/v1/groups/nope/cancel')).toEqual(
    refusal(404, 'E_UNKNOWN_GROUP', /^no live group "nope" is known to this supervisor$/),
  );
  expect(await callJson(socket, 'POST', `/v1/groups/${encodeURIComponent('a//b')}/cancel`)).toEqual(
    refusal(400, 'E_INVALID_OPTION', /`group`/),
  );
  expect(await callJson(socket, 'POST', '/v1/groups/agent-1/cancel', { reason: 'bored' })).toEqual(
    refusal(400, 'E_BAD_REQUEST', /at reason/),
  );
  // Empty groups end at once: no run, no exit.
  expect(await callJson(socket, 'POST', '/v1/groups/agent-1/cancel')).toEqual({
    status: 200,
    body: { exits: [] },
  });
  expect(await groupsOf(socket)).toEqual([]);
}, 60_000);

test('runs spawned into groups show in the tree; cancelling a group ends its subtree, last started first', async () => {
  const { home, socket } = await daemonSocket();
  const log = sessionLog(home);
  const member = (name: string) => ({ ...log.member(name), ...NEVER_IDLE });
  const agent = await spawnRun(socket, {
    spec: member('agent'),
    group: 'agent-1',
    groupOptions: { strategy: 'one-for-all', maxRestarts: 3 },
  });
  const mcp = await spawnRun(socket, { spec: member('mcp'), group: 'agent-1/mcp' });
  const dev = await spawnRun(socket, { spec: member('dev'), group: 'agent-1' });
  const plain = await spawnRun(socket, { spec: { command: 'sleep', args: ['60'], ...NEVER_IDLE } });
  expect([agent.group, mcp.group, dev.group, plain.group]).toEqual([
    'agent-1',
    'agent-1/mcp',
    'agent-1',
    null,
  ]);
  await waitUntil(() => log.lines().length === 3, 15_000, 'every member started');

  const runNode = (run: RunInfo) => ({
    kind: 'run',
    id: run.id,
    state: 'running',
    command: run.command,
    pid: run.pid,
    scopeKey: null,
    restarts: 0,
    generation: 1,
  });
  const groupNode = (path: string, settings: object, children: unknown[]) => ({
    kind: 'group',
    id: path.slice(path.lastIndexOf('/') + 1),
    path,
    ...defaults,
    ...settings,
    state: 'active',
    restarts: 0,
    children,
  });
  const tree = await callJson(socket, 'GET', '/v1/tree');
  expect(tree.status).toBe(200);
  expect((tree.body as { tree: SupervisorTree }).tree).toEqual({
    kind: 'supervisor',
    name: 'default',
    state: 'active',
    storeHealth: 'ok',
    // The supervisor's own runs first, then its groups; a group's children in start order.
    children: [
      runNode(plain),
      groupNode('agent-1', { strategy: 'one-for-all', maxRestarts: 3 }, [
        runNode(agent),
        groupNode('agent-1/mcp', {}, [runNode(mcp)]),
        runNode(dev),
      ]),
    ],
  });
  expect((await groupsOf(socket))[0]).toMatchObject({
    path: 'agent-1',
    runs: [agent.id, dev.id],
    groups: ['agent-1/mcp'],
  });

  // Refused before any run or group is made.
  const refused: Array<[unknown, number, string, RegExp]> = [
    [
      { spec: member('x'), group: 'agent-1', groupOptions: { strategy: 'rest-for-one' } },
      400,
      'E_INVALID_OPTION',
      /`strategy`: expected one-for-all, as group agent-1 was created with/,
    ],
    [{ spec: member('x'), groupOptions: {} }, 400, 'E_BAD_REQUEST', /groupOptions needs a group/],
    [{ spec: member('x'), group: 'a/', groupOptions: {} }, 400, 'E_INVALID_OPTION', /`group`/],
    [{ spec: member('x'), group: 3 }, 400, 'E_BAD_REQUEST', /at group/],
    [{ spec: member('x'), group: 'new', groupOptions: { x: 1 } }, 400, 'E_BAD_REQUEST', /"x"/],
    [
      { spec: { ...member('x'), mode: 'tty' }, group: 'new/deeper' },
      400,
      'E_INVALID_OPTION',
      /`mode`/,
    ],
    [
      { spec: member('x'), group: 'new', groupOptions: { strategy: 'all' } },
      400,
      'E_INVALID_OPTION',
      /`strategy`/,
    ],
  ];
  for (const [body, status, code, message] of refused)
    expect(await callJson(socket, 'POST', '/v1/runs', body), JSON.stringify(body)).toEqual(
      refusal(status, code, message),
    );
  const all = (await callJson(socket, 'GET', '/v1/runs?all=true')).body as { runs: RunInfo[] };
  expect(all.runs).toHaveLength(4);
  expect((await groupsOf(socket)).map((group) => group.path)).toEqual(['agent-1', 'agent-1/mcp']);

  const cancelled = await callJson(socket, 'POST', '/v1/groups/agent-1/cancel', {
    reason: 'cancelled',
  });
  expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
  const { exits } = cancelled.body as { exits: RunExit[] };
  expect(exits.map((exit) => [exit.reason, exit.forced])).toEqual(
    Array(3).fill(['cancelled', false]),
  );
  // The nested group was started after the agent and before the dev server.
  expect(log.lines().filter((line) => line.startsWith('stop'))).toEqual([
    'stop dev',
    'stop mcp',
    'stop agent',
  ]);
  for (const run of [agent, mcp, dev]) expect(liveMarked(run.id)).toEqual([]);
  expect(await groupsOf(socket)).toEqual([]);
  const after = await callJson(socket, 'GET', '/v1/tree');
  expect((after.body as { tree: SupervisorTree }).tree.children).toEqual([runNode(plain)]);
}, 60_000);
