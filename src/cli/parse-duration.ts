import { CliError } from './cli-error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses `500ms`, `30s`, `10m`, `2h` (or plain milliseconds) into milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const value = match === null ? NaN : Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? NaN);
  if (!Number.isFinite(value) || value > 2 ** 31 - 1) {
    throw new CliError(
      `invalid duration for ${option}: ${JSON.stringify(text)} (use 500ms, 30s, 10m or 2h)`,
      2,
    );
  }
  return Math.round(value);
}

/**
 * Parses a whole number from `min` (default 1) to `max` (default: the largest safe integer),
 * a limit given on the command line.
 */
export function parseCount(
  text: string,
  option: string,
  { min = 1, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new CliError(
      `invalid count for ${option}: ${JSON.stringify(text)} (a whole number ${range})`,
      2,
    );
  }
  return value;
}
