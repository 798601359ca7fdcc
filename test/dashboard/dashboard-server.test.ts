// The dashboard server in-process, on loopback, with a real supervisor and real processes:
// every route behind the token, the cookie exchange, the Host and Origin gates, the
// control routes, the supervision tree and the live event stream, and what the page's
// restart view is built from (a run in backoff, in the stream and in the tree).
import { afterEach, expect, test } from 'vitest';
import type { Logger, RunInfo, Supervisor, SupervisorTree } from '../../src/index.js';
import { generateChart } from '../../src/charts/generate-chart.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/dashboard-server.js';
import { httpCall, openEventStream, type SseEvent } from '../support/http-request.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { waitUntil } from '../support/wait-for.js';

const TOKEN = 'test-token-0123456789abcdef0123456789abcdef';
const bearer = { authorization: `Bearer ${TOKEN}` };
const supervisor = useSupervisors();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function dashboardFor(
  logged: unknown[] = [],
): Promise<{ base: string; url: string; sup: Supervisor }> {
  const sup = await supervisor();
  const log = (fields: Record<string, unknown>, message: string) =>
    logged.push({ fields, message });
  const logger: Logger = { debug: log, info: log, warn: log, error: log };
  const dashboard: Dashboard = await startDashboard(sup, {
    address: { host: '127.0.0.1', port: 0 },
    token: TOKEN,
    info: { home: '/unused', socketPath: '/unused.sock', store: 'test' },
    logger,
  });
  cleanups.push(() => dashboard.close());
  return { base: dashboard.url.replace(/\/$/, ''), url: dashboard.url, sup };
}

test('without the token, the page, its assets and every API route answer 401', async () => {
  const { base } = await dashboardFor();
  const refused: Array<[string, string]> = [
    ['GET', '/'],
    ['GET', '/assets/dashboard.js'],
    ['GET', '/v1/status'],
    ['GET', '/v1/runs?all=true'],
    ['GET', '/v1/tree'],
    ['GET', '/v1/events'],
    ['GET', '/v1/charts/run'],
    ['POST', '/v1/runs'],
    ['POST', '/v1/runs/r1/cancel'],
    ['POST', '/v1/reconcile'],
    ['GET', '/no/such/route'],
  ];
  for (const [method, path] of refused) {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { cookie: 'x=1' }]) {
      const answer = await httpCall(`${base}${path}`, { method, headers });
      expect(answer.status, `${method} ${path}`).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="runwarden"');
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'E_UNAUTHORIZED' } });
    }
  }
  // The query token is for the first page load only.
  expect((await httpCall(`${base}/v1/runs?token=${TOKEN}`)).status).toBe(401);
});

test('?token= on the page is traded for an HttpOnly SameSite=Strict cookie', async () => {
  const logged: unknown[] = [];
  const { base, url } = await dashboardFor(logged);
  const port = new URL(url).port;
  const first = await httpCall(`${base}/?token=${TOKEN}`);
  expect(first.status).toBe(303);
  expect(first.headers.location).toBe('/');
  const cookie = `runwarden_dashboard_${port}=${TOKEN}`;
  expect(first.headers['set-cookie']).toEqual([`${cookie}; HttpOnly; SameSite=Strict; Path=/`]);

  const page = await httpCall(`${base}/`, { headers: { cookie: `other=1; ${cookie}` } });
  expect(page.status).toBe(200);
  expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(page.headers['content-security-policy']).toContain("default-src 'self'");
  expect(page.body).toContain('<script type="module" src="/assets/dashboard.js">');
  const script = await httpCall(`${base}/assets/dashboard.js`, { headers: { cookie } });
  expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(
    (await httpCall(`${base}/assets/../../package.json`, { headers: { cookie } })).status,
  ).toBe(404);
  expect((await httpCall(`${base}/?token=nope`)).status).toBe(401);
  // Refusals are logged by path, never with the token.
  expect(JSON.stringify(logged)).not.toContain(TOKEN);
});

test('a foreign Host (DNS rebinding) or a foreign Origin on a write is refused', async () => {
  const { base, url } = await dashboardFor();
  const port = new URL(url).port;
  const rebound = await httpCall(`${base}/v1/runs`, {
    headers: { ...bearer, host: `attacker.example:${port}` },
  });
  expect(rebound.status).toBe(403);
  expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'E_FORBIDDEN_HOST' } });
  const localhost = await httpCall(`${base}/v1/runs`, {
    headers: { ...bearer, host: `localhost:${port}` },
  });
  expect(localhost.status).toBe(200);

  const write = (origin: string) =>
    httpCall(`${base}/v1/reconcile`, {
      method: 'POST',
      headers: { ...bearer, origin, 'content-type': 'application/json' },
      body: '{"dryRun":true}',
    });
  expect((await write('http://attacker.example')).status).toBe(403);
  expect((await write(`http://localhost:${port}`)).status).toBe(200);
  expect((await write(`http://127.0.0.1:${port}`)).status).toBe(200);
});

test('the control routes, the chart and the event stream, with the bearer token', async () => {
  const { base } = await dashboardFor();
  const stream = await openEventStream(`${base}/v1/events`, bearer);
  cleanups.push(stream.close);
  expect(stream.status).toBe(200);
  const runsEvent = (predicate: (runs: RunInfo[]) => boolean) =>
    waitUntil(
      () =>
        stream.events.some(
          (e: SseEvent) => e.event === 'runs' && predicate((e.data as { runs: RunInfo[] }).runs),
        ),
      10_000,
      'a matching runs event',
    );
  await runsEvent((runs) => runs.length === 0);

  const spawned = await httpCall(`${base}/v1/runs`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({
      spec: { command: 'sh', args: ['-c', 'echo ready; read line; echo "got $line"'] },
    }),
  });
  expect(spawned.status).toBe(201);
  const id = (JSON.parse(spawned.body) as { run: RunInfo }).run.id;
  await runsEvent((runs) => runs.some((run) => run.id === id && run.state === 'running'));

  const input = await httpCall(`${base}/v1/runs/${id}/input`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    body: JSON.stringify({ data: 'bye\n' }),
  });
  expect(input.status).toBe(204);
  await runsEvent((runs) => runs.some((run) => run.id === id && run.exit?.reason === 'exit'));
  // The finalized event follows the final record's write.
  await waitUntil(
    () =>
      stream.events.some(
        (e) =>
          e.event === 'supervisor' &&
          (e.data as { type: string; runId: string }).type === 'run.finalized' &&
          (e.data as { runId: string }).runId === id,
      ),
    10_000,
    'the run.finalized event',
  );
  const output = await httpCall(`${base}/v1/runs/${id}/output?since=0`, { headers: bearer });
  expect(Buffer.from((JSON.parse(output.body) as { data: string }).data, 'base64').toString()).toBe(
    'ready\ngot bye\n',
  );

  const chart = await httpCall(`${base}/v1/charts/run`, { headers: bearer });
  expect(chart.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
  expect(chart.body).toBe(await generateChart('run', 'svg'));
  const mermaid = await httpCall(`${base}/v1/charts/supervisor?format=mermaid`, {
    headers: bearer,
  });
  expect(mermaid.body).toBe(await generateChart('supervisor', 'mermaid'));
  expect((await httpCall(`${base}/v1/charts/nope`, { headers: bearer })).status).toBe(404);
  expect((await httpCall(`${base}/v1/runs/nope`, { headers: bearer })).status).toBe(404);
});

test('GET /v1/tree: the supervisor over its live runs, behind the same gates', async () => {
  const { base, url, sup } = await dashboardFor();
  const port = new URL(url).port;
  const cookie = `runwarden_dashboard_${port}=${TOKEN}`;
  const rebound = { ...bearer, host: `attacker.example:${port}` };
  expect((await httpCall(`${base}/v1/tree`, { headers: rebound })).status).toBe(403);
  expect((await httpCall(`${base}/v1/tree`, { method: 'POST', headers: bearer })).status).toBe(404);
  const treeNow = async (headers: Record<string, string> = bearer) => {
    const answer = await httpCall(`${base}/v1/tree`, { headers });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['cache-control']).toBe('no-store');
    return (JSON.parse(answer.body) as { tree: SupervisorTree }).tree;
  };
  const empty = { kind: 'supervisor', name: sup.name, state: 'active', storeHealth: 'ok' };
  expect(await treeNow({ cookie })).toEqual({ ...empty, children: [] });

  const spawn = async (spec: Record<string, unknown>) => {
    const answer = await httpCall(`${base}/v1/runs`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      // Never idle while the test looks, however busy the cores.
      body: JSON.stringify({ spec: { ...spec, idleAfterMs: 600_000 } }),
    });
    expect(answer.status).toBe(201);
    return (JSON.parse(answer.body) as { run: RunInfo }).run;
  };
  const first = await spawn({ command: 'sleep', args: ['60'], scopeKey: 'web' });
  const second = await spawn({ command: 'sh', args: ['-c', 'read line'] });
  const runNode = (run: RunInfo, scopeKey: string | null) => ({
    kind: 'run',
    id: run.id,
    state: 'running',
    command: run.command,
    pid: run.pid,
    scopeKey,
    restarts: 0,
    generation: 1,
  });
  // Oldest first; the route answers what the library answers.
  expect(await treeNow()).toEqual({
    ...empty,
    children: [runNode(first, 'web'), runNode(second, null)],
  });
  expect(await treeNow()).toEqual(JSON.parse(JSON.stringify(sup.tree())));

  // A run leaves the tree once it has ended.
  const cancelled = await httpCall(`${base}/v1/runs/${first.id}/cancel`, {
    method: 'POST',
    headers: bearer,
  });
  expect(cancelled.status).toBe(200);
  expect(await treeNow()).toEqual({ ...empty, children: [runNode(second, null)] });
  await sup.cancel(second.id);
  expect(await treeNow()).toEqual({ ...empty, children: [] });
});

test('a run in backoff: the stream carries its restart facts, the tree holds it by id', async () => {
  const { base } = await dashboardFor();
  const stream = await openEventStream(`${base}/v1/events`, bearer);
  cleanups.push(stream.close);
  const spawned = await httpCall(`${base}/v1/runs`, {
    method: 'POST',
    headers: { ...bearer, 'content-type': 'application/json' },
    // Fails at once; the restart is a minute away, far beyond the test.
    body: JSON.stringify({
      spec: {
        command: 'sh',
        args: ['-c', 'exit 3'],
        restart: 'on-failure',
        restartDelayMs: 60_000,
      },
    }),
  });
  expect(spawned.status).toBe(201);
  const id = (JSON.parse(spawned.body) as { run: RunInfo }).run.id;
  const streamed = (ready: (run: RunInfo) => boolean, what: string) =>
    waitUntil(
      () =>
        stream.events
          .filter((e) => e.event === 'runs')
          .flatMap((e) => (e.data as { runs: RunInfo[] }).runs)
          .find((run) => run.id === id && ready(run)),
      10_000,
      what,
    );
  const waiting = await streamed((run) => run.state === 'backoff', 'the run in backoff');
  // All the page needs for its countdown, sent once: it counts down from the clock.
  expect(waiting).toMatchObject({
    restart: 'on-failure',
    restartDelayMs: 60_000,
    restarts: 0,
    generation: 1,
    exit: null,
  });
  expect(waiting.nextStartAt).toBeGreaterThan(Date.now());
  expect(waiting.nextStartAt).toBeLessThanOrEqual(Date.now() + 60_000);
  // The tree's node carries no restart facts: the page finds them in the run list by id.
  const tree = await httpCall(`${base}/v1/tree`, { headers: bearer });
  expect((JSON.parse(tree.body) as { tree: SupervisorTree }).tree.children).toEqual([
    expect.objectContaining({ kind: 'run', id, state: 'backoff' }),
  ]);

  const cancelled = await httpCall(`${base}/v1/runs/${id}/cancel`, {
    method: 'POST',
    headers: bearer,
  });
  expect(cancelled.status).toBe(200);
  const ended = await streamed((run) => run.state === 'done', 'the cancelled run');
  expect(ended).toMatchObject({ nextStartAt: null, exit: { reason: 'cancelled', restarts: 0 } });
  const after = await httpCall(`${base}/v1/tree`, { headers: bearer });
  expect((JSON.parse(after.body) as { tree: SupervisorTree }).tree.children).toEqual([]);
});
