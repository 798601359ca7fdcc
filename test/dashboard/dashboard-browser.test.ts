// The dashboard in a real browser (playwright-core driving Debian's Chromium) against the
// built daemon: refused without the token; with it, a run appears and turns `done` when it
// ends, its state is highlighted in the chart, and Cancel finalizes another run. The
// screenshot is kept in test-artifacts/dashboard.png.
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { liveMarked } from '../support/process-checks.js';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { CHROMIUM, chromium as needChromium } from '../support/machine-requirements.js';
import { testNeeding } from '../support/requirements.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const testWithChromium = testNeeding(needChromium());

const { cleanups } = useBuiltCli('runwarden-cli-');

/** Waits until the element at `selector` exists and its text matches `expected`. */
function textMatches(page: Page, selector: string, expected: RegExp) {
  const element = page.locator(selector);
  return waitUntil(
    async () => {
      const text = (await element.count()) === 0 ? null : await element.textContent();
      return text !== null && expected.test(text) ? text : null;
    },
    15_000,
    `${selector} matching ${String(expected)}`,
  );
}

/** The same for one cell of a run's row. */
function cellBecomes(page: Page, runId: string, field: string, expected: RegExp) {
  return textMatches(page, `tr[data-run-id="${runId}"] [data-field="${field}"]`, expected);
}

testWithChromium(
  'token-gated page: a run appears and ends, another is cancelled from the page',
  { timeout: 90_000 },
  async () => {
    const home = createTempHome('runwarden-dashboard-');
    cleanups.push(home.remove);
    const { daemon, printed } = await startDaemon(home.path, ['--http', '127.0.0.1:0']);
    cleanups.push(async () => {
      expect(await stopDaemon(daemon)).toBe(0);
    });
    const line = printed.find((l) => l.startsWith('dashboard: ')) ?? '';
    const [, url = '', tokenFile = ''] =
      /^dashboard: (\S+) \(token in (\S+), mode 0600\)$/.exec(line) ?? [];
    const base = url.slice(0, url.indexOf('?'));
    const token = new URL(url).searchParams.get('token') ?? '';
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(readFileSync(tokenFile, 'utf8')).toBe(`${token}\n`);
    expect((statSync(tokenFile).mode & 0o777).toString(8)).toBe('600');

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // No crash handler process that could outlive the browser.
        '--disable-crash-reporter',
      ],
    });
    cleanups.push(() => browser.close());
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
    await page.locator(`tr[data-run-id="${first}"] [data-field="id"]`).click();
    await page.waitForSelector('#chart g.current#state-running');
    await textMatches(page, '#output', /started/);

    expect((await runCli(home.path, ['send', first, 'now\n'])).code).toBe(0);
    await cellBecomes(page, first, 'state', /^done$/);
    await cellBecomes(page, first, 'exit', /^exit 0$/);
    await page.waitForSelector('#chart g.current#state-done');
    await textMatches(page, '#output', /bye now\n+\[run ended: exit 0\]/);
    const second = (await runCli(home.path, ['run', '--', 'sleep', '60'])).stdout.trim();
    await cellBecomes(page, second, 'state', /^running$/);
    await page.locator(`tr[data-run-id="${second}"] button.cancel`).click();
    await cellBecomes(page, second, 'state', /^done$/);
    await cellBecomes(page, second, 'exit', /^cancelled/);
    expect(liveMarked(second)).toEqual([]);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

    expect(await stopDaemon(daemon)).toBe(0);
    expect(existsSync(tokenFile)).toBe(false);
  },
);
