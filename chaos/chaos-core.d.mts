// Types of chaos-core.mjs, for the vitest test that runs the harness in CI.

export interface ChaosOptions {
  readonly cycles: number;
  /** Seed of the first cycle; cycle k uses `seed + k`. */
  readonly seed: number;
  /** Go on after a failing cycle (default: stop at the first). */
  readonly keepGoing?: boolean;
  /** Print every cycle's steps, not only a failing one's. */
  readonly verbose?: boolean;
  /** Most spawn requests in one burst (default 8). */
  readonly maxRunsPerBurst?: number;
  readonly print: (line: string) => void;
}

export interface ChaosSummary {
  readonly passed: number;
  /** Seeds of the failing cycles. */
  readonly failed: number[];
  /** Run ids handed out over all cycles. */
  readonly runs: number;
  readonly seconds: number;
}

export function runChaos(options: ChaosOptions): Promise<ChaosSummary>;
