// The sampler's options: defaults and validation (a bad value is a TypeError naming it).
import { InvalidOptionError } from '../../errors.js';
import type { Clock } from '../../support/clock.js';
import type { ReadCgroupUsage } from './metering-types.js';
import type { ProcScanner } from './proc-scan.js';

/** Options of a ResourceSampler. */
export interface ResourceSamplerOptions {
  /** Milliseconds from the start of one tick to the start of the next. Default 2000. */
  readonly intervalMs?: number;
  /** Points kept per run for charts. Default 120 (four minutes at the default interval). */
  readonly historyLength?: number;
  /** Time and timers. Default: the system clock, whose timers never keep Node alive. */
  readonly clock?: Clock;
  /** Reads a cgroup's usage; required to track a target with a `cgroupDir`. */
  readonly readCgroupUsage?: ReadCgroupUsage;
  /**
   * Told when one run (`runId`) or the shared scan (`null`) could not be measured in a tick,
   * or a listener threw. Default: ignored (metering never stops a run or the sampler).
   */
  readonly onError?: (error: unknown, runId: string | null) => void;
  /** Where /proc is read from (tests substitute it). */
  readonly scanner?: ProcScanner;
}

/** Defaults of the options. */
export const SAMPLER_DEFAULTS = { intervalMs: 2000, historyLength: 120 } as const;

/** The numeric options, defaulted; throws InvalidOptionError on a bad one. */
export function validateSamplerOptions(options: ResourceSamplerOptions): {
  intervalMs: number;
  historyLength: number;
} {
  return {
    intervalMs: integerOption(
      'intervalMs',
      options.intervalMs,
      SAMPLER_DEFAULTS.intervalMs,
      10,
      3_600_000,
    ),
    historyLength: integerOption(
      'historyLength',
      options.historyLength,
      SAMPLER_DEFAULTS.historyLength,
      1,
      100_000,
    ),
  };
}

function integerOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, value, `an integer from ${min} to ${max}`);
  }
  return value;
}
