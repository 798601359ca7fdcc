// The dashboard in a real browser (playwright-core driving Debian's Chromium) against the
// built daemon: refused without the token; with it, a run appears and turns `done` when it
// ends, its state is highlighted in the chart, and Cancel finalizes another run. The
// supervision tree shows each live run under the supervisor node and drops it when it ends,
// and draws groups nested to any depth with their facts (served by a stand-in route;
// dashboard-groups.test.ts draws real ones). The screenshots are kept in
// test-artifacts/dashboard.png and dashboard-tree.png.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { expect } from 'vitest';
import type { GroupTreeNode, RunStateName, RunTreeNode, SupervisorTree } from '../../src/index.js';
import { liveMarked } from '../support/process-checks.js';
import { runCli, stopDaemon } from '../support/cli.js';
import { chromium as needChromium } from '../support/machine-requirements.js';
import { testNeeding } from '../support/requirements.js';
import { useBuiltCli } from '../support/built-cli.js';
import {
  ARTIFACTS,
  cellBecomes,
  nodeShows,
  openDashboard,
  runIn,
  SUPERVISOR_NODE,
  textMatches,
  treeGroup,
  treeRun,
  treeRunGone,
  treeRunShows,
} from './dashboard-page.js';

const testWithChromium = testNeeding(needChromium());

const { cleanups } = useBuiltCli('runwarden-cli-');

testWithChromium(
  'token-gated page: a run appears and ends, another is cancelled from the page',
  { timeout: 90_000 },
  async () => {
    const { home, daemon, url, tokenFile, browser } = await openDashboard(cleanups);
    const base = url.slice(0, url.indexOf('?'));
    const token = new URL(url).searchParams.get('token') ?? '';
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(readFileSync(tokenFile, 'utf8')).toBe(`${token}\n`);
    expect((statSync(tokenFile).mode & 0o777).toString(8)).toBe('600');

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });

    // Without the token: the page and the API are refused.
    expect((await page.goto(base))?.status()).toBe(401);
    expect((await page.request.get(`${base}v1/runs`)).status()).toBe(401);
    expect((await page.request.post(`${base}v1/reconcile`, { data: {} })).status()).toBe(401);

    // With it: the token leaves the address bar for a cookie, and the stream goes live.
    expect((await page.goto(url))?.status()).toBe(200);
    expect(page.url()).toBe(base);
    await page.waitForSelector('#connection.live');
    await page.waitForSelector('#chart svg');
    await textMatches(page, `${SUPERVISOR_NODE} > .node > [data-field="name"]`, /^default$/);
    await textMatches(page, `${SUPERVISOR_NODE} > .node > [data-field="state"]`, /^active$/);
    await textMatches(page, `${SUPERVISOR_NODE} > ul > li.empty`, /^no live runs$/);

    const first = (
      await runCli(home.path, [
        'run',
        '--scope',
        'web',
        '--',
        'sh',
        '-c',
        'echo started; read line; echo "bye $line"',
      ])
    ).stdout.trim();
    await cellBecomes(page, first, 'state', /^running$/);
    expect(
      await page.locator(`tr[data-run-id="${first}"] [data-field="scope"]`).textContent(),
    ).toBe('web');
    const pid = await page.locator(`tr[data-run-id="${first}"] [data-field="pid"]`).textContent();
    expect(pid).toMatch(/^\d+$/);
    await treeRunShows(page, first, {
      id: new RegExp(`^${first}$`),
      state: /^running$/,
      command: /^sh$/,
      pid: new RegExp(`^pid ${pid ?? ''}$`),
      scope: /^scope web$/,
    });
    expect(await page.locator(`${SUPERVISOR_NODE} > ul > li.empty`).count()).toBe(0);
    await page.locator(`tr[data-run-id="${first}"] [data-field="id"]`).click();
    await page.waitForSelector('#chart g.current#state-running');
    await textMatches(page, '#output', /started/);

    expect((await runCli(home.path, ['send', first, 'now\n'])).code).toBe(0);
    await cellBecomes(page, first, 'state', /^done$/);
    await cellBecomes(page, first, 'exit', /^exit 0$/);
    await treeRunGone(page, first);
    await page.waitForSelector('#chart g.current#state-done');
    await textMatches(page, '#output', /bye now\n+\[run ended: exit 0\]/);
    const second = (await runCli(home.path, ['run', '--', 'sleep', '60'])).stdout.trim();
    await cellBecomes(page, second, 'state', /^running$/);
    await treeRunShows(page, second, { state: /^running$/, command: /^sleep$/ });
    // A run picked in the tree is the selected run.
    await page.locator(`${treeRun(second)} > .node`).click();
    await textMatches(page, '#selected-id', new RegExp(`^${second}$`));
    await page.waitForSelector(`${treeRun(second)}.selected`);
    await page.locator(`tr[data-run-id="${second}"] button.cancel`).click();
    await cellBecomes(page, second, 'state', /^done$/);
    await cellBecomes(page, second, 'exit', /^cancelled/);
    await treeRunGone(page, second);
    await textMatches(page, `${SUPERVISOR_NODE} > ul > li.empty`, /^no live runs$/);
    expect(liveMarked(second)).toEqual([]);
    expect(await page.locator('#error').isHidden()).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

    expect(await stopDaemon(daemon)).toBe(0);
    expect(existsSync(tokenFile)).toBe(false);
  },
);

testWithChromium(
  'the tree view nests groups to any depth, each with its facts, and a branch folds',
  { timeout: 60_000 },
  async () => {
    const { url, browser } = await openDashboard(cleanups);
    const page = await browser.newPage();
    // The library's own node shapes, deeper than the real groups test builds, with a run in
    // each state a group gives it (a stand-in route: no run list carries these runs).
    const run = (id: string, state: RunStateName): RunTreeNode => {
      const node = { kind: 'run', id, state, command: 'sleep', pid: 4242, scopeKey: null } as const;
      return { ...node, restarts: 0, generation: 1 };
    };
    const group = (path: string, over: Partial<GroupTreeNode>): GroupTreeNode => ({
      kind: 'group',
      id: path.slice(path.lastIndexOf('/') + 1),
      path,
      strategy: 'one-for-one',
      state: 'active',
      restarts: 0,
      maxRestarts: 5,
      restartWindowMs: 60_000,
      children: [],
      ...over,
    });
    const tree: SupervisorTree = {
      kind: 'supervisor',
      name: 'default',
      state: 'active',
      storeHealth: 'degraded',
      children: [
        run('r1', 'running'),
        group('web', {
          strategy: 'one-for-all',
          state: 'restarting',
          restarts: 2,
          maxRestarts: 3,
          restartWindowMs: 600_000,
          children: [
            run('r2', 'held'),
            group('web/db', {
              state: 'held',
              children: [group('web/db/cache', { state: 'failed' })],
            }),
          ],
        }),
      ],
    };
    await page.route('**/v1/tree', (route) => route.fulfill({ json: { tree } }));
    expect((await page.goto(url))?.status()).toBe(200);
    const web = treeGroup('web');
    const db = treeGroup('web', 'web/db');
    const cache = treeGroup('web', 'web/db', 'web/db/cache');
    await textMatches(page, `${SUPERVISOR_NODE} > .node > [data-field="store"]`, /degraded/);
    await textMatches(page, `${treeRun('r1')} > .node > [data-field="state"]`, /^running$/);
    await nodeShows(page, web, {
      id: /^web$/,
      state: /^restarting$/,
      strategy: /^one-for-all$/,
      restarts: /^2 restarts$/,
      intensity: /^≤3 in 10m$/,
    });
    // A top-level group's path is its id: not said twice. No restarts: no count.
    expect(await page.locator(`${web} > .node > [data-field="path"]`).isHidden()).toBe(true);
    await nodeShows(page, db, { id: /^db$/, path: /^web\/db$/, state: /^held$/ });
    expect(await page.locator(`${db} > .node > [data-field="restarts"]`).isHidden()).toBe(true);
    await nodeShows(page, cache, { path: /^web\/db\/cache$/, state: /^failed$/ });
    await textMatches(page, `${cache} > ul > li.empty`, /^empty$/);
    expect(
      await page.locator(`${cache} > .node > [data-field="state"]`).getAttribute('class'),
    ).toBe('state-failed');
    // A held run waits for its group, its pid its ended generation's.
    await nodeShows(page, runIn(web, 'r2'), {
      state: /^held$/,
      pid: /^last pid 4242$/,
      held: /^waits for its group$/,
    });
    expect(await page.locator(web).getAttribute('aria-expanded')).toBe('true');

    await page.locator(`${web} > .node > .toggle`).click();
    expect(await page.locator(web).getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator(`${web} > ul`).isHidden()).toBe(true);
    expect(await page.locator(treeRun('r1')).isVisible()).toBe(true);
    await page.locator(`${web} > .node > .toggle`).click();
    expect(await page.locator(runIn(web, 'r2')).isVisible()).toBe(true);
    expect(await page.locator(cache).isVisible()).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#tree-panel').screenshot({ path: `${ARTIFACTS}dashboard-tree.png` });
  },
);
