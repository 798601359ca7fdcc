// Groups (nested supervisors) on the dashboard, against an in-process dashboard over a real
// supervisor and real processes. The event stream sends the group list whenever it changed;
// the tree route holds the groups. In a real browser (playwright-core driving Debian's
// Chromium), an agent session: group agent-1 (one-for-all) holds an agent, a group mcp
// (one-for-one) with a helper, and a dev server. Each group is drawn under its parent with
// its state, strategy, restarts and intensity, each run under its group. A group created
// with no run appears with no run event (the stream's `groups` message). A one-for-one
// restart inside mcp; then a one-for-all restart holds every run (each says it waits for its
// group, the failed one with its countdown) and the nested groups. Cancelling the group
// empties the tree and leaves no process. Screenshot: test-artifacts/dashboard-groups.png.
import { mkdirSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import type { GroupInfo, Logger, RunHandle, SupervisorTree } from '../../src/index.js';
import { startDashboard } from '../../src/dashboard/dashboard-server.js';
import { sessionLog } from '../support/group-fixtures.js';
import { httpCall, openEventStream } from '../support/http-request.js';
import { chromium as needChromium } from '../support/machine-requirements.js';
import { liveMarked } from '../support/process-checks.js';
import { testNeeding } from '../support/requirements.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';
import {
  ARTIFACTS,
  cellBecomes,
  gone,
  launchBrowser,
  nodeShows,
  runCell,
  runIn,
  SUPERVISOR_NODE,
  textMatches,
  treeGroup,
} from './dashboard-page.js';

const testWithChromium = testNeeding(needChromium());
const TOKEN = 'test-token-0123456789abcdef0123456789abcdef';
const create = useSupervisors();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const quiet = () => undefined;
const logger: Logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };

/** A real supervisor in a temporary home and its dashboard. */
async function startGroupsDashboard() {
  const home = createTempHome('runwarden-dashboard-groups-');
  cleanups.push(home.remove);
  const sup = await create({ home: home.path });
  const dashboard = await startDashboard(sup, {
    address: { host: '127.0.0.1', port: 0 },
    token: TOKEN,
    info: { home: home.path, socketPath: '/unused.sock', store: 'test' },
    logger,
  });
  cleanups.push(() => dashboard.close());
  return { sup, url: dashboard.url, log: sessionLog(home.path) };
}

/** The same, with the page open on it, signed in, its event stream live. */
async function openGroupsPage() {
  const { sup, url, log } = await startGroupsDashboard();
  const browser = await launchBrowser(cleanups);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  expect((await page.goto(`${url}?token=${TOKEN}`))?.status()).toBe(200);
  await page.waitForSelector('#connection.live');
  return { sup, page, log };
}

test('the stream sends the group list whenever it changed; GET /v1/tree holds the groups', async () => {
  const { sup, url, log } = await startGroupsDashboard();
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const stream = await openEventStream(`${url}v1/events`, bearer);
  cleanups.push(stream.close);
  const lastGroups = () =>
    stream.events
      .filter((e) => e.event === 'groups')
      .map((e) => e.data as { groups: GroupInfo[] })
      .at(-1)?.groups;
  const groupsBecome = (ready: (groups: GroupInfo[]) => boolean, what: string) =>
    waitUntil(
      () => {
        const groups = lastGroups();
        return groups !== undefined && ready(groups) && groups;
      },
      10_000,
      what,
    );
  await groupsBecome((groups) => groups.length === 0, 'the empty group list');

  // Groups with no run: no supervisor event announces them, the group list does.
  const web = await sup.group('web', { strategy: 'rest-for-one' });
  await web.group('db');
  const listed = await groupsBecome(
    (groups) => groups.length === 2 && groups.every((group) => group.state === 'active'),
    'both groups listed, past their write-ahead',
  );
  expect(listed.map((group) => [group.path, group.state, group.strategy])).toEqual([
    ['web', 'active', 'rest-for-one'],
    ['web/db', 'active', 'one-for-one'],
  ]);

  const api = await web.spawn(log.member('api', { idleAfterMs: 600_000 }));
  await waitUntil(() => sup.get(api.id)?.state === 'running', 10_000, 'the api running');
  const answer = await httpCall(`${url}v1/tree`, { headers: bearer });
  expect(answer.status).toBe(200);
  const tree = (JSON.parse(answer.body) as { tree: SupervisorTree }).tree;
  expect(tree).toEqual(JSON.parse(JSON.stringify(sup.tree())));
  // The group node: its facts, its children in start order (the db group, then the run).
  expect(tree.children).toEqual([
    {
      kind: 'group',
      id: 'web',
      path: 'web',
      strategy: 'rest-for-one',
      state: 'active',
      restarts: 0,
      maxRestarts: 5,
      restartWindowMs: 60_000,
      children: [
        expect.objectContaining({ kind: 'group', path: 'web/db', children: [] }),
        expect.objectContaining({ kind: 'run', id: api.id, state: 'running' }),
      ],
    },
  ]);

  await sup.cancelGroup('web');
  await groupsBecome((groups) => groups.length === 0, 'the groups gone');
  expect(liveMarked(api.id)).toEqual([]);
});

testWithChromium(
  'nested groups: each group with its facts, runs under their group, held runs wait for it',
  { timeout: 120_000 },
  async () => {
    const { sup, page, log } = await openGroupsPage();
    // Never idle while the test looks, however busy the cores.
    const member = (name: string, restartDelayMs = 0) =>
      log.member(name, { idleAfterMs: 600_000, restartDelayMs });
    const agent1 = await sup.group('agent-1', {
      strategy: 'one-for-all',
      maxRestarts: 5,
      restartWindowMs: 60_000,
    });
    const agent = await agent1.spawn(member('agent'));
    const mcp = await agent1.group('mcp', { maxRestarts: 3, restartWindowMs: 600_000 });
    const helper = await mcp.spawn(member('mcp-a'));
    // Its restart is ten minutes away: the one-for-all restart waits for it all test long.
    const dev = await agent1.spawn(member('dev', 600_000));
    await waitUntil(() => log.lines().length === 3, 10_000, 'every member started');
    const runs: RunHandle[] = [agent, helper, dev];

    const top = treeGroup('agent-1');
    const nested = treeGroup('agent-1', 'agent-1/mcp');
    await nodeShows(page, top, {
      id: /^agent-1$/,
      state: /^active$/,
      strategy: /^one-for-all$/,
      intensity: /^≤5 in 1m$/,
    });
    // A top-level group's path is its id (not said twice); no restarts yet, no count.
    for (const field of ['path', 'restarts'])
      expect(await page.locator(`${top} > .node > [data-field="${field}"]`).isHidden()).toBe(true);
    await nodeShows(page, nested, {
      id: /^mcp$/,
      path: /^agent-1\/mcp$/,
      state: /^active$/,
      strategy: /^one-for-one$/,
      intensity: /^≤3 in 10m$/,
    });
    await nodeShows(page, runIn(top, agent.id), { state: /^running$/, pid: /^pid \d+$/ });
    await nodeShows(page, runIn(nested, helper.id), { state: /^running$/, command: /^sh$/ });
    await nodeShows(page, runIn(top, dev.id), { state: /^running$/, generation: /^gen 1$/ });
    // In start order: the agent, the mcp group, the dev server.
    const children = await page.locator(`${top} > ul > li`).all();
    const order = await Promise.all(
      children.map(
        async (li) => (await li.getAttribute('data-run-id')) ?? li.getAttribute('data-group-path'),
      ),
    );
    expect(order).toEqual([agent.id, 'agent-1/mcp', dev.id]);

    // A group with no run yet: no run event announces it, the stream's group list does.
    await mcp.group('tools');
    const tools = treeGroup('agent-1', 'agent-1/mcp', 'agent-1/mcp/tools');
    await nodeShows(page, tools, { path: /^agent-1\/mcp\/tools$/, state: /^active$/ });
    await textMatches(page, `${tools} > ul > li.empty`, /^empty$/);

    // One for one inside mcp: the helper alone restarts, counted by mcp (not by agent-1).
    log.fail('mcp-a');
    await nodeShows(page, nested, { state: /^active$/, restarts: /^1 restart$/ });
    await nodeShows(page, runIn(nested, helper.id), {
      state: /^running$/,
      restarts: /^1 restart$/,
      generation: /^gen 2$/,
    });
    expect(await page.locator(`${top} > .node > [data-field="restarts"]`).isHidden()).toBe(true);

    // One for all: the dev server fails; agent-1 stops the rest (mcp and its groups are held)
    // and waits for the dev server's restart time before it starts them all again.
    log.fail('dev');
    await nodeShows(page, top, { state: /^restarting$/, restarts: /^1 restart$/ });
    const countdown = /^waits for group agent-1, restarts in \d+m \d+s$/;
    await nodeShows(page, runIn(top, dev.id), {
      state: /^held$/,
      pid: /^last pid \d+$/,
      held: countdown,
    });
    // Stopped for the dev server's restart: no time of their own, their group decides.
    await nodeShows(page, runIn(top, agent.id), {
      state: /^held$/,
      pid: /^last pid \d+$/,
      held: /^waits for group agent-1$/,
    });
    await nodeShows(page, nested, { state: /^held$/ });
    await nodeShows(page, tools, { state: /^held$/ });
    await nodeShows(page, runIn(nested, helper.id), {
      state: /^held$/,
      held: /^waits for group agent-1\/mcp$/,
    });
    // The runs list says the same, in the run's restart facts.
    await cellBecomes(page, dev.id, 'state', /^held$/);
    await textMatches(page, `${runCell(dev.id, 'restarts')} [data-part="held"]`, countdown);
    await textMatches(
      page,
      `${runCell(agent.id, 'restarts')} [data-part="held"]`,
      /^waits for group agent-1$/,
    );
    // Held means verified dead: no process of any of them is left.
    for (const run of runs) expect(liveMarked(run.id)).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard-groups.png`, fullPage: true });

    // Cancelled: the subtree ends and leaves the tree.
    const exits = await sup.cancelGroup('agent-1');
    expect(exits.map((exit) => exit.reason)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    await gone(page, top, 'agent-1 to leave the tree');
    await textMatches(page, `${SUPERVISOR_NODE} > ul > li.empty`, /^no live runs$/);
    for (const run of runs) await cellBecomes(page, run.id, 'state', /^done$/);
    for (const run of runs) expect(liveMarked(run.id)).toEqual([]);
    expect(await page.locator('#error').isHidden()).toBe(true);
  },
);
