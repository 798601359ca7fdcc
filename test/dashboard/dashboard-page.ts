// What the dashboard's browser tests share: the built daemon with its dashboard and a
// Chromium (playwright-core) to open it, and waits on what the page shows. Every wait is on
// a condition with a generous bound, never a fixed sleep.
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startDaemon, stopDaemon } from '../support/cli.js';
import { CHROMIUM } from '../support/machine-requirements.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

/** Where the screenshots go (kept by CI as artifacts). */
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

// What the page shows comes through an event stream on machines kept busy by other tests.
const PAGE_WAIT_MS = 15_000;

/** Waits until the element at `selector` exists and its text matches `expected`. */
export function textMatches(
  page: Page,
  selector: string,
  expected: RegExp,
  timeoutMs = PAGE_WAIT_MS,
) {
  const element = page.locator(selector);
  return waitUntil(
    async () => {
      const text = (await element.count()) === 0 ? null : await element.textContent();
      return text !== null && expected.test(text) ? text : null;
    },
    timeoutMs,
    `${selector} matching ${String(expected)}`,
  );
}

/** Waits until nothing matches `selector`. */
export function gone(page: Page, selector: string, what = `${selector} to go`) {
  const element = page.locator(selector);
  return waitUntil(async () => (await element.count()) === 0, PAGE_WAIT_MS, what);
}

/** The selector of one cell of a run's row. */
export const runCell = (runId: string, field: string) =>
  `tr[data-run-id="${runId}"] [data-field="${field}"]`;

/** Waits until one cell of a run's row matches. */
export function cellBecomes(page: Page, runId: string, field: string, expected: RegExp) {
  return textMatches(page, runCell(runId, field), expected);
}

// The supervisor's node in the tree, and a run's node right under it.
export const SUPERVISOR_NODE = '#tree li[data-kind="supervisor"]';
export const treeRun = (runId: string) =>
  `${SUPERVISOR_NODE} > ul > li[data-kind="run"][data-run-id="${runId}"]`;

/**
 * A group's node, found through each group from the top (`'agent-1', 'agent-1/mcp'`): the
 * selector holds only if each is a child of the one before, the first of the supervisor.
 */
export const treeGroup = (...paths: string[]) =>
  [
    SUPERVISOR_NODE,
    ...paths.map((path) => `li[data-kind="group"][data-group-path="${path}"]`),
  ].join(' > ul > ');

/** A run's node right under the group at `parent` (a selector from `treeGroup`). */
export const runIn = (parent: string, runId: string) =>
  `${parent} > ul > li[data-kind="run"][data-run-id="${runId}"]`;

/** Waits until the node at `node` (a selector) shows these fields. */
export async function nodeShows(page: Page, node: string, fields: Record<string, RegExp>) {
  for (const [field, expected] of Object.entries(fields))
    await textMatches(page, `${node} > .node > [data-field="${field}"]`, expected);
}

/** Waits until the run's node is in the tree with these fields. */
export function treeRunShows(page: Page, runId: string, fields: Record<string, RegExp>) {
  return nodeShows(page, treeRun(runId), fields);
}

/** Waits until the run's node has left the tree. */
export function treeRunGone(page: Page, runId: string) {
  return gone(page, treeRun(runId), `${runId} to leave the tree`);
}

/**
 * Starts the built daemon with its dashboard and a browser; `cleanups` (the test file's,
 * run after each test, last first) stops both and removes the home.
 */
export async function openDashboard(cleanups: Array<() => unknown>) {
  const home = createTempHome('runwarden-dashboard-');
  cleanups.push(home.remove);
  const { daemon, printed } = await startDaemon(home.path, ['--http', '127.0.0.1:0']);
  cleanups.push(async () => {
    expect(await stopDaemon(daemon)).toBe(0);
  });
  const line = printed.find((l) => l.startsWith('dashboard: ')) ?? '';
  const [, url = '', tokenFile = ''] =
    /^dashboard: (\S+) \(token in (\S+), mode 0600\)$/.exec(line) ?? [];
  const browser = await launchBrowser(cleanups);
  return { home, daemon, url, tokenFile, browser };
}

/** Debian's Chromium, headless; `cleanups` closes it. */
export async function launchBrowser(cleanups: Array<() => unknown>) {
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
  return browser;
}
