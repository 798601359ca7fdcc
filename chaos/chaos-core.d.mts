// Types of chaos-core.mjs, for the vitest test that runs the harness in CI.

/** One cycle to run: its seed, and its burst size when not the run's default. */
export interface ChaosCycle {
  readonly seed: number;
  readonly maxRunsPerBurst?: number;
}

export interface ChaosOptions {
  /** The cycles to run, or how many, with seeds `seed`, `seed + 1`, ... */
  readonly cycles: number | readonly ChaosCycle[];
  /** Seed of the first cycle when `cycles` is a count. */
  readonly seed?: number;
  /** Go on after a failing cycle (default: stop at the first). */
  readonly keepGoing?: boolean;
  /** Print every cycle's steps, not only a failing one's. */
  readonly verbose?: boolean;
  /** Most spawn requests in one burst (default 8, the soak's). */
  readonly maxRunsPerBurst?: number;
  readonly print: (line: string) => void;
}

export interface ChaosSummary {
  readonly passed: number;
  /** Seeds of the failing cycles. */
  readonly failed: number[];
  /** Run ids handed out over all cycles. */
  readonly runs: number;
  /** Starts of a later generation (restart policies at work) over all cycles. */
  readonly restarts: number;
  /** Of those, starts of runs in groups (their groups restarted them). */
  readonly groupRestarts: number;
  /** Group cancels that were answered (their subtree ended). */
  readonly groupCancels: number;
  /** Processes of the harness (runs, run hosts) found alive after the last cycle. */
  readonly leaked: string[];
  readonly seconds: number;
}

export const DEFAULT_MAX_RUNS_PER_BURST: number;

/** `npm run chaos -- --seed S --cycles 1 [--max-runs N]`: replays that one cycle. */
export function replayCommand(seed: number, maxRunsPerBurst?: number): string;

export function runChaos(options: ChaosOptions): Promise<ChaosSummary>;
