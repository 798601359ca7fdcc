// The chaos harness (chaos/) in CI: 20 short cycles against the built daemon, each with a
// fault at a random moment. A failing cycle prints its seed and steps; replay it with
// `npm run chaos -- --seed S --cycles 1`. RUNWARDEN_CHAOS_SEED fixes the first seed.
import { beforeAll, expect, test } from 'vitest';
import { runChaos } from '../../chaos/chaos-core.mjs';
import { assertFreshBuild } from '../support/crash-host.js';

beforeAll(() => {
  assertFreshBuild();
});

const CYCLES = 20;

test(`${CYCLES} chaos cycles: no run leaked, no record lost`, async () => {
  const seed = Number(process.env.RUNWARDEN_CHAOS_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const lines: string[] = [];
  const summary = await runChaos({
    cycles: CYCLES,
    seed,
    // Short bursts: the suite shares two cores with every other test file.
    maxRunsPerBurst: 5,
    print: (line) => lines.push(line),
  });
  console.log(lines.at(-1));
  expect(summary.failed, lines.join('\n')).toEqual([]);
}, 300_000);
