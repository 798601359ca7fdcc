// The chaos harness (chaos/) in CI, against the built daemon: a fixed list of cycles
// (chaos/seeds.mjs: seeds that found bugs, and everyday ones) and one random cycle, each
// with faults at random moments, restart policies and groups. The random seed is printed,
// and named in the test and in a failure, with the command that replays it;
// RUNWARDEN_CHAOS_SEED fixes it.
import { beforeAll, expect, test } from 'vitest';
import { replayCommand, runChaos } from '../../chaos/chaos-core.mjs';
import { CI_RANDOM_MAX_RUNS, CI_SEEDS } from '../../chaos/seeds.mjs';
import { assertFreshBuild } from '../support/crash-host.js';

beforeAll(() => {
  assertFreshBuild();
});

const randomSeed = Number(process.env.RUNWARDEN_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isSafeInteger(randomSeed) || randomSeed < 0 || randomSeed >= 2 ** 32) {
  throw new TypeError(`RUNWARDEN_CHAOS_SEED must be an integer in [0, 2^32), got ${randomSeed}`);
}
const cycles = [...CI_SEEDS, { seed: randomSeed, maxRunsPerBurst: CI_RANDOM_MAX_RUNS }];
const seeds = `${CI_SEEDS.length} fixed seeds and random seed ${randomSeed} (replay: ${replayCommand(randomSeed, CI_RANDOM_MAX_RUNS)})`;

test(`chaos: ${cycles.length} cycles, random seed ${randomSeed}: no run leaked, no record lost`, async () => {
  // Printed first, so even a cycle that hangs past the timeout has named its seed.
  console.log(`chaos: ${seeds}`);
  const lines: string[] = [];
  const summary = await runChaos({ cycles, print: (line) => lines.push(line) });
  console.log(lines.at(-1));
  expect(summary.failed, [seeds, ...lines].join('\n')).toEqual([]);
  // Nothing the harness started outlived its last cycle.
  expect(summary.leaked, lines.join('\n')).toEqual([]);
  // The fixed seeds draw restart policies: generations were started again under chaos.
  expect(summary.restarts, lines.join('\n')).toBeGreaterThan(0);
  // They draw groups too: groups restarted failed members, and groups were cancelled.
  expect(summary.groupRestarts, lines.join('\n')).toBeGreaterThan(0);
  expect(summary.groupCancels, lines.join('\n')).toBeGreaterThan(0);
}, 300_000);
