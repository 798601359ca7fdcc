// The line CI is judged by, "N passed, N failed, N skipped", from vitest's own JSON results
// and the suite's leak report (test/support/global-marker-check.ts), plus vitest's exit status
// and whether the quick benchmarks failed. Leaks are failures of their own (every test may
// have passed), named and counted; any other failure outside a test (an unhandled error, a
// failed check before vitest) makes vitest exit non-zero with every test passed: one failure.
// A file that is missing, truncated or not what it should be is a failure too, never a pass:
// the line is always printed, and the exit status is non-zero whenever it counts a failure.
// Usage: node .ci/summarize.mjs RESULTS_JSON LEAK_REPORT_JSON VITEST_STATUS BENCH_FAILED(0|1)
import { existsSync, readFileSync } from 'node:fs';

const COUNTS = ['numPassedTests', 'numFailedTests', 'numPendingTests', 'numTodoTests'];
const isCount = (value) => Number.isSafeInteger(value) && value >= 0;

/** Parses a JSON file; throws with a reason a person can act on. */
function readJson(path, what) {
  if (!existsSync(path)) throw new Error(`${what} (${path}) is missing`);
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} (${path}) is not JSON (${text.length} bytes): ${error.message}`, {
      cause: error,
    });
  }
}

/** vitest's counts, or a throw naming what is wrong with the file. */
function readResults(path) {
  if (!existsSync(path)) throw new Error(`no test ran: vitest wrote no results (${path})`);
  const results = readJson(path, "vitest's results");
  const bad = COUNTS.filter((key) => !isCount(results?.[key]));
  if (bad.length > 0) throw new Error(`vitest's results (${path}) lack counts: ${bad.join(', ')}`);
  return results;
}

/** The leaked processes, and what is wrong with the report (null when nothing). */
function readLeaks(path) {
  let report;
  try {
    report = readJson(path, 'the leak report');
  } catch (error) {
    return { leaked: [], problem: error.message };
  }
  if (!Array.isArray(report?.leaked))
    return { leaked: [], problem: `the leak report (${path}) has no list of leaked processes` };
  const valid = (p) =>
    isCount(p?.pid) && typeof p.command === 'string' && typeof p.marker === 'string';
  const malformed = report.leaked.filter((p) => !valid(p)).length;
  const problem =
    malformed > 0 ? `the leak report (${path}) has ${malformed} malformed entry(ies)` : null;
  return { leaked: report.leaked, problem };
}

/** The lines to print and the number of failures. */
function summarize(resultsPath, leakPath, status, bench) {
  const lines = [];
  let results;
  try {
    results = readResults(resultsPath);
  } catch (error) {
    // No counts to trust: no test is known to have passed.
    lines.push(`ci: ${error.message}`, '0 passed, 1 failed');
    return { lines, failed: 1 };
  }
  const { leaked, problem } = readLeaks(leakPath);
  for (const p of leaked)
    lines.push(`ci: LEAKED pid ${p?.pid} (${p?.command}, ${p?.kind ?? 'kind?'}, ${p?.marker})`);
  let failed = results.numFailedTests + leaked.length;
  if (problem !== null) {
    lines.push(`ci: ${problem}`);
    failed += 1;
  }
  if (bench !== '0') {
    if (bench !== '1') lines.push(`ci: the benchmarks' step status is not 0 or 1: ${bench}`);
    failed += 1;
  }
  if (!/^\d+$/.test(status)) {
    lines.push(`ci: vitest's exit status is not a number: ${status}`);
    failed += 1;
  } else if (Number(status) !== 0 && failed === 0) failed = 1;
  const skipped = results.numPendingTests + results.numTodoTests;
  lines.push(`${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
  return { lines, failed };
}

try {
  const [resultsPath = '', leakPath = '', status = '', bench = ''] = process.argv.slice(2);
  const { lines, failed } = summarize(resultsPath, leakPath, status, bench);
  for (const line of lines) console.log(line);
  process.exitCode = failed > 0 ? 1 : 0;
} catch (error) {
  console.log(`ci: the summary failed: ${error?.stack ?? String(error)}`);
  console.log('0 passed, 1 failed');
  process.exitCode = 1;
}
