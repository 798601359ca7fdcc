// The harness's loop: cycles, one line per cycle, a summary. `npm run chaos` (run.mjs) and
// the vitest test (test/chaos) both call `runChaos`.
import { randomUUID } from 'node:crypto';
import { runCycle } from './cycle.mjs';
import { endHarnessLeftovers } from './processes.mjs';

/** Default most spawn requests in one burst (the soak's size). */
export const DEFAULT_MAX_RUNS_PER_BURST = 8;

/**
 * The command that replays one cycle exactly: a seed draws the same choices only with the
 * same burst size (it bounds the first draw of every burst).
 */
export function replayCommand(seed, maxRunsPerBurst = DEFAULT_MAX_RUNS_PER_BURST) {
  const burst =
    maxRunsPerBurst === DEFAULT_MAX_RUNS_PER_BURST ? '' : ` --max-runs ${maxRunsPerBurst}`;
  return `npm run chaos -- --seed ${seed} --cycles 1${burst}`;
}

/**
 * Runs the cycles `cycles` lists (each a seed, and its burst size when not
 * `maxRunsPerBurst`), or else `count` cycles with seeds `seed`, `seed + 1`, ... Stops at the
 * first failing cycle unless `keepGoing`. `print` receives each line (with `verbose`, every
 * cycle's steps too). Resolves the summary.
 */
export async function runChaos({
  cycles,
  seed,
  keepGoing = false,
  verbose = false,
  maxRunsPerBurst = DEFAULT_MAX_RUNS_PER_BURST,
  print,
}) {
  const list = Array.isArray(cycles)
    ? cycles.map((cycle) => ({ maxRunsPerBurst, ...cycle }))
    : Array.from({ length: cycles }, (_, k) => ({ seed: (seed + k) >>> 0, maxRunsPerBurst }));
  const started = Date.now();
  // Every process of this harness run carries a tag starting so: none may outlive it.
  const tagPrefix = `chaos-${randomUUID().slice(0, 8)}-`;
  const failed = [];
  let passed = 0;
  const counts = { runs: 0, restarts: 0, groupRestarts: 0, groupCancels: 0 };
  for (const [k, cycle] of list.entries()) {
    const options = { maxRunsPerBurst: cycle.maxRunsPerBurst, tagPrefix };
    const result = await runCycle(cycle.seed, options);
    for (const key of Object.keys(counts)) counts[key] += result[key];
    const label = `cycle ${k + 1}/${list.length} seed ${cycle.seed}`;
    if (result.ok) {
      passed++;
      print(
        `${label} ok (${result.runs} runs, ${result.restarts} restarts, ` +
          `${result.groupRestarts} group restarts, ${result.groupCancels} group cancels, ` +
          `${result.ms} ms)`,
      );
      if (verbose) for (const line of result.steps) print(`    ${line}`);
      continue;
    }
    failed.push(cycle.seed);
    print(
      `${label} FAILED (${result.ms} ms); replay: ${replayCommand(cycle.seed, cycle.maxRunsPerBurst)}`,
    );
    for (const problem of result.problems) print(`  violation: ${problem}`);
    print('  steps:');
    for (const line of result.steps) print(`    ${line}`);
    print(`  kept the home (daemon and run host logs): ${result.home}`);
    if (!keepGoing) break;
  }
  // Each cycle checked its own end; this finds whatever started after that check.
  const leaked = endHarnessLeftovers(tagPrefix);
  for (const p of leaked) print(`  leaked after the last cycle (now ended): ${p}`);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  print(
    `chaos: ${passed} cycles passed, ${failed.length} failed, ${counts.runs} runs, ` +
      `${counts.restarts} restarts, ${counts.groupRestarts} group restarts, ` +
      `${counts.groupCancels} group cancels, ${leaked.length} leaked, ${seconds} s` +
      (failed.length === 0 ? '' : `; failing seeds: ${failed.join(', ')}`),
  );
  return { passed, failed, ...counts, leaked, seconds };
}
