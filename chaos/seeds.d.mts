// Types of seeds.mjs, for the vitest test that runs the harness in CI.
import type { ChaosCycle } from './chaos-core.mjs';

export const REGRESSION_SEEDS: readonly Required<ChaosCycle>[];
export const EVERYDAY_SEEDS: readonly Required<ChaosCycle>[];
export const OPEN_SEEDS: readonly Required<ChaosCycle>[];
export const CI_SEEDS: readonly Required<ChaosCycle>[];
export const CI_RANDOM_MAX_RUNS: number;
