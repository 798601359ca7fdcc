// The dashboard in a real browser (playwright-core driving Debian's Chromium) against the
// built daemon: refused without the token; with it, a run appears and turns `done` when it
// ends, its state is highlighted in the chart, and Cancel finalizes another run. The
// supervision tree shows each live run under the supervisor node and drops it when it ends,
// and draws deeper trees (served by a stand-in route) nested. The screenshots are kept in
// test-artifacts/dashboard.png and dashboard-tree.png.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { expect } from 'vitest';
import { liveMarked } from '../support/process-checks.js';
import { runCli, stopDaemon } from '../support/cli.js';
import { chromium as needChromium } from '../support/machine-requirements.js';
import { testNeeding } from '../support/requirements.js';
import { useBuiltCli } from '../support/built-cli.js';
import {
  ARTIFACTS,
  cellBecomes,
  openDashboard,
  SUPERVISOR_NODE,
  textMatches,
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
  'the tree view nests to any depth, and a branch folds',
  { timeout: 60_000 },
  async () => {
    const { url, browser } = await openDashboard(cleanups);
    const page = await browser.newPage();
    // Deeper than today's daemon builds: groups (nested supervisors) of runs and groups.
    const run = (id: string, state: string) => {
      return { kind: 'run', id, state, command: 'sleep', pid: 4242, scopeKey: null };
    };
    const group = (name: string, children: unknown[]) => {
      return { kind: 'group', name, state: 'active', children };
    };
    const tree = {
      kind: 'supervisor',
      name: 'default',
      state: 'active',
      storeHealth: 'degraded',
      children: [run('r1', 'running'), group('web', [run('r2', 'idle'), group('db', [])])],
    };
    await page.route('**/v1/tree', (route) => route.fulfill({ json: { tree } }));
    expect((await page.goto(url))?.status()).toBe(200);
    const web = `${SUPERVISOR_NODE} > ul > li[data-kind="group"]`;
    const db = `${web} > ul > li[data-kind="group"]`;
    await textMatches(page, `${SUPERVISOR_NODE} > .node > [data-field="store"]`, /degraded/);
    await textMatches(page, `${treeRun('r1')} > .node > [data-field="state"]`, /^running$/);
    await textMatches(page, `${web} > .node > [data-field="name"]`, /^web$/);
    await textMatches(page, `${web} > ul > li[data-run-id="r2"] [data-field="state"]`, /^idle$/);
    await textMatches(page, `${db} > .node > [data-field="name"]`, /^db$/);
    await textMatches(page, `${db} > ul > li.empty`, /^empty$/);
    expect(await page.locator(web).getAttribute('aria-expanded')).toBe('true');

    await page.locator(`${web} > .node > .toggle`).click();
    expect(await page.locator(web).getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator(`${web} > ul`).isHidden()).toBe(true);
    expect(await page.locator(treeRun('r1')).isVisible()).toBe(true);
    await page.locator(`${web} > .node > .toggle`).click();
    expect(await page.locator(`${web} > ul > li[data-run-id="r2"]`).isVisible()).toBe(true);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#tree-panel').screenshot({ path: `${ARTIFACTS}dashboard-tree.png` });
  },
);
