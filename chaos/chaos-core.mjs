// The chaos harness's loop: cycles with consecutive seeds, one line per cycle, a summary.
// `npm run chaos` (run.mjs) and the vitest test (test/chaos) both call `runChaos`.
import { runCycle } from './cycle.mjs';

/**
 * Runs `cycles` cycles, seeds `seed`, `seed + 1`, ... Stops at the first failing cycle
 * unless `keepGoing`. `print` receives each line (with `verbose`, every cycle's steps too).
 * Resolves the summary.
 */
export async function runChaos({
  cycles,
  seed,
  keepGoing = false,
  verbose = false,
  maxRunsPerBurst,
  print,
}) {
  const started = Date.now();
  const failed = [];
  let passed = 0;
  let runs = 0;
  for (let k = 0; k < cycles; k++) {
    const cycleSeed = (seed + k) >>> 0;
    const result = await runCycle(
      cycleSeed,
      maxRunsPerBurst === undefined ? {} : { maxRunsPerBurst },
    );
    runs += result.runs;
    const label = `cycle ${k + 1}/${cycles} seed ${cycleSeed}`;
    if (result.ok) {
      passed++;
      print(`${label} ok (${result.runs} runs, ${result.ms} ms)`);
      if (verbose) for (const line of result.steps) print(`    ${line}`);
      continue;
    }
    failed.push(cycleSeed);
    print(
      `${label} FAILED (${result.ms} ms); replay: npm run chaos -- --seed ${cycleSeed} --cycles 1`,
    );
    for (const problem of result.problems) print(`  violation: ${problem}`);
    print('  steps:');
    for (const line of result.steps) print(`    ${line}`);
    print(`  kept the home (daemon and run host logs): ${result.home}`);
    if (!keepGoing) break;
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  print(
    `chaos: ${passed} cycles passed, ${failed.length} failed, ${runs} runs, ${seconds} s` +
      (failed.length === 0 ? '' : `; failing seeds: ${failed.join(', ')}`),
  );
  return { passed, failed, runs, seconds };
}
