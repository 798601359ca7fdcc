// testNeeding (test/support/requirements.ts) itself, run for real: a child vitest runs a
// fixture suite whose test needs a tool that does not exist. In CI it must FAIL, naming the
// error and the tool; elsewhere it must be skipped, with the loud warning, and pass.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { createTempHome } from '../support/temp-home.js';
import { CHILD_TEST_TIMEOUT_MS, runChildVitest, stopChildVitests } from './child-vitest.js';

const CONFIG = 'test/fixtures/requirements-suite/vitest.config.mjs';
const NEEDING = 'needs a tool that does not exist';
const MISSING =
  'a tool that does not exist (not on PATH; nowhere: this fixture checks testNeeding)';

const dirs = createTempHome('runwarden-requirements-');
afterAll(dirs.remove);
afterEach(() => {
  stopChildVitests();
});

interface JsonResults {
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
  readonly testResults: ReadonlyArray<{
    readonly assertionResults: ReadonlyArray<{
      readonly title: string;
      readonly status: string;
      readonly failureMessages: readonly string[];
    }>;
  }>;
}

/** Runs the fixture suite with CI set to `ci` (or unset), and reads its JSON results. */
async function runFixture(ci: string | undefined) {
  const env = { ...process.env };
  delete env.CI;
  const results = join(dirs.path, `results-${String(ci)}.json`);
  const child = await runChildVitest(CONFIG, ci === undefined ? env : { ...env, CI: ci }, [
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${results}`,
  ]);
  const json = JSON.parse(readFileSync(results, 'utf8')) as JsonResults;
  const byTitle = new Map(
    json.testResults.flatMap((file) => file.assertionResults).map((t) => [t.title, t]),
  );
  return { ...child, json, byTitle };
}

test(
  'in CI, a test whose requirement is missing fails with MissingRequirementError naming it',
  async () => {
    const result = await runFixture('true');
    expect(result.signal).toBeNull();
    expect(result.code).not.toBe(0);
    expect(result.json).toMatchObject({ numPassedTests: 1, numFailedTests: 1, numPendingTests: 0 });
    expect(result.byTitle.get(NEEDING)?.status).toBe('failed');
    expect(result.byTitle.get(NEEDING)?.failureMessages.join('\n')).toContain(
      `MissingRequirementError: missing in CI: ${MISSING}`,
    );
    expect(result.output).toContain('MissingRequirementError');
    expect(result.output).toContain('a tool that does not exist');
    expect(result.output).not.toContain('SKIPPING');
  },
  CHILD_TEST_TIMEOUT_MS,
);

test(
  'outside CI, the same test is skipped, loudly, and the run passes',
  async () => {
    const result = await runFixture(undefined);
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.json).toMatchObject({ numPassedTests: 1, numFailedTests: 0, numPendingTests: 1 });
    expect(result.byTitle.get(NEEDING)?.status).toBe('skipped');
    expect(result.byTitle.get('needs nothing')?.status).toBe('passed');
    expect(result.output).toContain(`[requirements] SKIPPING tests that need ${MISSING}`);
    expect(result.output).toMatch(/Tests\s+.*1 passed.*1 skipped/);
    expect(result.output).not.toContain('MissingRequirementError');
  },
  CHILD_TEST_TIMEOUT_MS,
);

test(
  'CI set to "false" or "0" is not CI: the test is skipped',
  async () => {
    for (const ci of ['false', '0']) {
      const result = await runFixture(ci);
      expect(result, `CI=${ci}`).toMatchObject({ code: 0, signal: null });
      expect(result.json, `CI=${ci}`).toMatchObject({ numFailedTests: 0, numPendingTests: 1 });
    }
  },
  CHILD_TEST_TIMEOUT_MS,
);
