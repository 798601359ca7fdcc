#!/usr/bin/env node
// `npm run chaos -- [--cycles N] [--seed S] [--seeds S1,S2,... | --ci-seeds] [--max-runs N]
// [--keep-going] [--verbose]`: builds first (package.json), then runs the chaos harness
// against dist/. Exit 0 when every cycle held the invariants and nothing of the harness
// outlived it. A cycle is replayed by its seed and burst size: `--seed S --cycles 1
// --max-runs N` (a failing cycle prints it).
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_RUNS_PER_BURST, runChaos } from './chaos-core.mjs';
import { CI_SEEDS } from './seeds.mjs';

const USAGE =
  'usage: npm run chaos -- [--cycles N] [--seed S] [--seeds S1,S2,... | --ci-seeds] ' +
  '[--max-runs N] [--keep-going] [--verbose]\n';
const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '20' },
    seed: { type: 'string' },
    seeds: { type: 'string' },
    'ci-seeds': { type: 'boolean', default: false },
    'max-runs': { type: 'string', default: String(DEFAULT_MAX_RUNS_PER_BURST) },
    'keep-going': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const isSeed = (n) => Number.isSafeInteger(n) && n >= 0 && n < 2 ** 32;
const cycles = Number(values.cycles);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const maxRunsPerBurst = Number(values['max-runs']);
const listed = values.seeds?.split(',').map((s) => ({ seed: Number(s.trim()) }));
if (
  !Number.isSafeInteger(cycles) ||
  cycles < 1 ||
  !isSeed(seed) ||
  !Number.isSafeInteger(maxRunsPerBurst) ||
  maxRunsPerBurst < 2 ||
  (listed !== undefined && !listed.every((cycle) => isSeed(cycle.seed)))
) {
  process.stderr.write(USAGE);
  process.exit(2);
}
// The CI list keeps each seed's own burst size; a given list uses --max-runs.
const list = values['ci-seeds'] ? CI_SEEDS : listed;
console.log(
  list === undefined
    ? `chaos: ${cycles} cycles from seed ${seed}`
    : `chaos: seeds ${list.map((cycle) => cycle.seed).join(', ')}`,
);
const summary = await runChaos({
  cycles: list ?? cycles,
  seed,
  maxRunsPerBurst,
  keepGoing: values['keep-going'],
  verbose: values.verbose,
  print: (line) => console.log(line),
});
process.exit(summary.failed.length === 0 && summary.leaked.length === 0 ? 0 : 1);
