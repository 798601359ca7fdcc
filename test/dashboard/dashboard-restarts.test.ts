// Restart policies on the dashboard, in a real browser (playwright-core driving Debian's
// Chromium) against the built daemon and real processes: a run waiting in `backoff` shows
// its state, a countdown computed from `nextStartAt` that ticks down with no request, its
// generation, policy and (once restarted) restart count, in the runs list, the detail panel
// and its supervision tree node; Cancel ends it `cancelled`. A policy that gives up reads as
// such. The screenshots are kept in test-artifacts/dashboard-restarts.png and
// dashboard-restart-limit.png.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { chromium as needChromium } from '../support/machine-requirements.js';
import { liveMarked } from '../support/process-checks.js';
import { testNeeding } from '../support/requirements.js';
import { useBuiltCli } from '../support/built-cli.js';
import { waitUntil } from '../support/wait-for.js';
import {
  ARTIFACTS,
  cellBecomes,
  gone,
  openDashboard,
  runCell,
  textMatches,
  treeRun,
  treeRunGone,
  treeRunShows,
} from './dashboard-page.js';

const testWithChromium = testNeeding(needChromium());
const { cleanups } = useBuiltCli('runwarden-cli-');

/** One restart fact in the run's row (`[data-part]` of its restarts cell). */
const part = (id: string, name: string) => `${runCell(id, 'restarts')} [data-part="${name}"]`;

/** Opens the dashboard page, signed in, its event stream live. */
async function openPage() {
  const { home, url, browser } = await openDashboard(cleanups);
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  expect((await page.goto(url))?.status()).toBe(200);
  await page.waitForSelector('#connection.live');
  await page.waitForSelector('#chart svg');
  return { home: home.path, page, base: url.slice(0, url.indexOf('?')) };
}

/** Starts a run through the CLI; its id. */
async function startRun(home: string, args: readonly string[]): Promise<string> {
  const started = await runCli(home, ['run', ...args]);
  expect(started.code, started.stderr).toBe(0);
  return started.stdout.trim();
}

/** The run as the API answers it now (the page's cookie authorizes the request). */
async function runNow(page: Page, base: string, id: string): Promise<RunInfo> {
  const answer = await page.request.get(`${base}v1/runs/${id}`);
  expect(answer.status()).toBe(200);
  return ((await answer.json()) as { run: RunInfo }).run;
}

/** The seconds a countdown text shows, or null for any other text. */
function secondsOf(text: string | null): number | null {
  const match = /^restarts in (\d+)s$/.exec(text ?? '');
  return match === null ? null : Number(match[1]);
}

/**
 * Checks the countdown the page shows against the run's `nextStartAt`: never less than
 * what is left now (the page computed it at an earlier tick), never more than the delay.
 */
async function expectCountdownFits(page: Page, base: string, id: string, maxDelayMs: number) {
  const { state, nextStartAt } = await runNow(page, base, id);
  expect(state).toBe('backoff');
  const shown = secondsOf(
    await textMatches(page, part(id, 'countdown'), /^restarts in \d+s$/, 5000),
  );
  const leftNow = (nextStartAt ?? 0) - Date.now();
  expect(shown).toBeGreaterThanOrEqual(Math.ceil(leftNow / 1000));
  expect(shown).toBeLessThanOrEqual(Math.ceil(maxDelayMs / 1000));
  return shown ?? 0;
}

testWithChromium(
  'a run in backoff: countdown from nextStartAt, generation, policy, restart count; cancelled from the page',
  { timeout: 120_000 },
  async () => {
    const { home, page, base } = await openPage();
    // Fails at once, every generation: first delay 6.4-8 s, the second 12.8-16 s. Far
    // longer than each step of the test, however busy the cores.
    const id = await startRun(home, [
      ...['--restart', 'on-failure', '--restart-delay', '8s', '--max-restarts', '5'],
      ...['--restart-window', '10m', '--', 'sh', '-c'],
      'echo "generation $RUNWARDEN_RUN_GENERATION"; exit 3',
    ]);

    // The first backoff: no restart done yet, so no count.
    await cellBecomes(page, id, 'state', /^backoff$/);
    expect(await page.locator(runCell(id, 'state')).getAttribute('class')).toBe('state-backoff');
    const first = await expectCountdownFits(page, base, id, 8000);
    await textMatches(page, part(id, 'generation'), /^gen 1$/);
    await textMatches(page, part(id, 'policy'), /^on-failure, ≤5 in 10m$/);
    expect(await page.locator(part(id, 'count')).count()).toBe(0);
    await treeRunShows(page, id, { state: /^backoff$/, countdown: /^restarts in \d+s$/ });
    expect(await page.locator(`${treeRun(id)} [data-field="restarts"]`).isHidden()).toBe(true);

    // It ticks down from the clock: the daemon sends nothing new while the run waits.
    const countdown = page.locator(part(id, 'countdown'));
    const ticked = await waitUntil(
      async () => {
        const text = (await countdown.count()) === 0 ? null : await countdown.textContent();
        return text !== null && text !== `restarts in ${first}s` && text;
      },
      15_000,
      'the countdown to tick',
    );
    expect(ticked === 'restarting now…' || (secondsOf(ticked) ?? first) < first).toBe(true);

    // The detail panel words the policy in full; the chart shows the state.
    await page.locator(runCell(id, 'id')).click();
    await page.waitForSelector('#chart g.current#state-backoff');
    await textMatches(
      page,
      '#selected-restarts [data-part="policy"]',
      /^on-failure: at most 5 restarts in 10m, delay 8s doubling up to 30s$/,
    );

    // The second generation fails too: backoff again, one restart done.
    await textMatches(page, part(id, 'count'), /^1 restart$/, 40_000);
    await textMatches(page, part(id, 'generation'), /^gen 2$/);
    await cellBecomes(page, id, 'state', /^backoff$/);
    await expectCountdownFits(page, base, id, 16_000);
    await treeRunShows(page, id, {
      state: /^backoff$/,
      pid: /^last pid \d+$/,
      restarts: /^1 restart$/,
      countdown: /^restarts in \d+s$/,
    });
    await textMatches(page, '#selected-restarts [data-part="count"]', /^1 restart$/);
    await textMatches(page, '#selected-restarts [data-part="generation"]', /^generation 2$/);
    await textMatches(page, '#selected-restarts [data-part="countdown"]', /^restarts in \d+s$/);
    await textMatches(page, '#output', /generation 1\n(.|\n)*generation 2\n/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard-restarts.png`, fullPage: true });

    // Cancel while it waits: it ends for good, and says after how many restarts.
    await page.locator(`tr[data-run-id="${id}"] button.cancel`).click();
    await cellBecomes(page, id, 'state', /^done$/);
    // The code is the last generation's (a cancel in backoff signals nothing).
    await cellBecomes(page, id, 'exit', /^cancelled \(last exit 3, after 1 restart\)$/);
    await gone(page, part(id, 'countdown'));
    await gone(page, '#selected-restarts [data-part="countdown"]');
    await treeRunGone(page, id);
    await page.waitForSelector('#chart g.current#state-done');
    expect((await runNow(page, base, id)).exit?.reason).toBe('cancelled');
    expect(liveMarked(id)).toEqual([]);
    expect(await page.locator('#error').isHidden()).toBe(true);
  },
);

testWithChromium(
  'a policy that gives up: restart-limit reads as such',
  { timeout: 60_000 },
  async () => {
    const { home, page } = await openPage();
    const id = await startRun(home, [
      ...['--restart', 'on-failure', '--restart-delay', '100ms', '--max-restarts', '1'],
      ...['--', 'sh', '-c', 'exit 3'],
    ]);
    await cellBecomes(page, id, 'state', /^done$/);
    await cellBecomes(
      page,
      id,
      'exit',
      /^restart-limit: gave up after 1 restart \(at most 1 in 1m\), last exit 3$/,
    );
    expect(await page.locator(runCell(id, 'exit')).getAttribute('class')).toBe('gave-up');
    await textMatches(page, part(id, 'count'), /^1 restart$/);
    await textMatches(page, part(id, 'generation'), /^gen 2$/);
    expect(await page.locator(part(id, 'countdown')).count()).toBe(0);
    await textMatches(page, '#selected-summary', /^done: restart-limit: gave up after 1 restart/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard-restart-limit.png` });
    expect(liveMarked(id)).toEqual([]);
  },
);
