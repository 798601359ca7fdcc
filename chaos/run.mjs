#!/usr/bin/env node
// `npm run chaos -- [--cycles N] [--seed S] [--keep-going] [--verbose]`: builds first (package.json),
// then runs the chaos harness against dist/. Exit 0 when every cycle held the invariants.
import { parseArgs } from 'node:util';
import { runChaos } from './chaos-core.mjs';

const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '20' },
    seed: { type: 'string' },
    'keep-going': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const cycles = Number(values.cycles);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isSafeInteger(cycles) || cycles < 1 || !Number.isSafeInteger(seed) || seed < 0) {
  process.stderr.write(
    'usage: npm run chaos -- [--cycles N] [--seed S] [--keep-going] [--verbose]\n',
  );
  process.exit(2);
}
console.log(`chaos: ${cycles} cycles from seed ${seed}`);
const summary = await runChaos({
  cycles,
  seed,
  keepGoing: values['keep-going'],
  verbose: values.verbose,
  print: (line) => console.log(line),
});
process.exit(summary.failed.length === 0 ? 0 : 1);
