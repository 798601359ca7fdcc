// .ci/summarize.mjs, the line CI is judged by, run as .ci/run runs it on crafted files: the
// counts of a good run, every leak named and counted, and for a file that is missing,
// truncated or not what it should be, a failure line and a non-zero status, never a pass.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { createTempHome } from '../support/temp-home.js';
import { ROOT } from './child-vitest.js';

const SCRIPT = join(ROOT, '.ci/summarize.mjs');
const dir = createTempHome('runwarden-ci-summary-');
afterAll(dir.remove);

const RESULTS = { numPassedTests: 7, numFailedTests: 0, numPendingTests: 2, numTodoTests: 1 };
const LEAK = {
  pid: 4242,
  identity: {},
  command: 'sleep',
  kind: 'suite-process',
  marker: 'RUNWARDEN_TEST_SUITE=x',
  ended: 'sent',
};

let files = 0;
/** Writes `content` (a string as is, anything else as JSON) and returns its path. */
function file(content: unknown): string {
  const path = join(dir.path, `file-${String(++files)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function summarize(results: string, leaks: string, status = '0', bench = '0') {
  const run = spawnSync(process.execPath, [SCRIPT, results, leaks, status, bench], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(run.signal, run.stderr).toBeNull();
  const lines = run.stdout.trimEnd().split('\n');
  return { status: run.status, lines, last: lines.at(-1) };
}

test('a clean run: its counts, status 0', () => {
  const run = summarize(file(RESULTS), file({ suite: 's', leaked: [] }));
  expect(run).toMatchObject({ status: 0, lines: ['7 passed, 0 failed, 3 skipped'] });
});

test('each leak is named and counted, whatever vitest said', () => {
  const run = summarize(
    file(RESULTS),
    file({ suite: 's', leaked: [LEAK, { ...LEAK, pid: 4243 }] }),
  );
  expect(run.status).toBe(1);
  expect(run.lines).toEqual([
    'ci: LEAKED pid 4242 (sleep, suite-process, RUNWARDEN_TEST_SUITE=x)',
    'ci: LEAKED pid 4243 (sleep, suite-process, RUNWARDEN_TEST_SUITE=x)',
    '7 passed, 2 failed, 3 skipped',
  ]);
});

test('failed tests, a failed benchmark step, a non-zero vitest status are failures', () => {
  const leaks = file({ leaked: [] });
  expect(summarize(file({ ...RESULTS, numFailedTests: 3 }), leaks, '1').last).toBe(
    '7 passed, 3 failed, 3 skipped',
  );
  expect(summarize(file(RESULTS), leaks, '0', '1')).toMatchObject({
    status: 1,
    last: '7 passed, 1 failed, 3 skipped',
  });
  // Every test passed, but vitest failed outside them (an unhandled error).
  expect(summarize(file(RESULTS), leaks, '1')).toMatchObject({
    status: 1,
    last: '7 passed, 1 failed, 3 skipped',
  });
});

test('results missing, truncated or without counts: "0 passed, 1 failed", status 1', () => {
  const leaks = file({ leaked: [] });
  const text = JSON.stringify(RESULTS);
  const withoutFailed: Partial<typeof RESULTS> = { ...RESULTS };
  delete withoutFailed.numFailedTests;
  for (const [results, reason] of [
    [join(dir.path, 'never-written.json'), /no test ran: vitest wrote no results/],
    [file(text.slice(0, text.length - 9)), /is not JSON/],
    [file(''), /is not JSON \(0 bytes\)/],
    [file(withoutFailed), /lack counts: numFailedTests/],
    [file({ ...RESULTS, numPassedTests: '7' }), /lack counts: numPassedTests/],
    [file('null'), /lack counts: numPassedTests, numFailedTests/],
  ] as const) {
    const run = summarize(results, leaks);
    expect(run, results).toMatchObject({ status: 1, last: '0 passed, 1 failed' });
    expect(run.lines[0], results).toMatch(reason);
  }
});

test('a leak report missing, truncated or malformed is one more failure', () => {
  const results = file(RESULTS);
  const text = JSON.stringify({ leaked: [LEAK] });
  for (const [leaks, reason, failed] of [
    [join(dir.path, 'no-report.json'), /the leak report .* is missing/, 1],
    [file(text.slice(0, 20)), /the leak report .* is not JSON/, 1],
    [file({ suite: 's' }), /has no list of leaked processes/, 1],
    [file({ leaked: 'none' }), /has no list of leaked processes/, 1],
    // A malformed entry is still a leak, and the report one more failure.
    [file({ leaked: [{ pid: 'x' }] }), /has 1 malformed entry/, 2],
  ] as const) {
    const run = summarize(results, leaks);
    expect(run, leaks).toMatchObject({ status: 1, last: `7 passed, ${failed} failed, 3 skipped` });
    expect(run.lines.join('\n'), leaks).toMatch(reason);
  }
});

test('arguments that are not a status are failures', () => {
  const [results, leaks] = [file(RESULTS), file({ leaked: [] })];
  expect(summarize(results, leaks, '', '0')).toMatchObject({
    status: 1,
    last: '7 passed, 1 failed, 3 skipped',
  });
  expect(summarize(results, leaks, '0', 'x')).toMatchObject({
    status: 1,
    last: '7 passed, 1 failed, 3 skipped',
  });
});
