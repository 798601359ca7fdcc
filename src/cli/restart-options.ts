// `runwarden run`'s restart flags: --restart and the four that tune it, added to the command
// and turned into the run spec's restart fields. Values the daemon would refuse are refused
// here first, as usage errors (exit 2) naming the flag, not the spec field.
import { Option, type Command } from 'commander';
import { RESTART_DEFAULTS } from '../support/limits.js';
import type { RestartPolicy } from '../types.js';
import { CliError } from './cli-error.js';
import { formatDuration } from './format-run.js';
import { parseCount, parseDuration } from './parse-duration.js';

/** The restart flags as commander hands them over. */
export interface RestartFlags {
  restart?: RestartPolicy;
  restartDelay?: string;
  maxRestartDelay?: string;
  maxRestarts?: string;
  restartWindow?: string;
}

/** The run spec's restart fields that the flags set. */
export interface RestartSpec {
  restart?: RestartPolicy;
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  maxRestarts?: number;
  restartWindowMs?: number;
}

// The run spec's own bound on maxRestarts (src/options/run-spec.ts).
const MAX_RESTARTS_BOUND = 10_000;
const TUNING: ReadonlyArray<[keyof RestartFlags, string]> = [
  ['restartDelay', '--restart-delay'],
  ['maxRestartDelay', '--max-restart-delay'],
  ['maxRestarts', '--max-restarts'],
  ['restartWindow', '--restart-window'],
];

/** Adds the restart flags to `command` (the `run` command). */
export function addRestartOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--restart <policy>',
        'start the run again after it ended: after a failure, or after any end (default: never)',
      ).choices(['never', 'on-failure', 'always']),
    )
    .option(
      '--restart-delay <duration>',
      `first delay before a restart, doubling per quick failure (default: ${formatDuration(RESTART_DEFAULTS.restartDelayMs)})`,
    )
    .option(
      '--max-restart-delay <duration>',
      `longest delay before a restart (default: ${formatDuration(RESTART_DEFAULTS.maxRestartDelayMs)})`,
    )
    .option(
      '--max-restarts <n>',
      `more restarts than this within --restart-window end the run: restart-limit (default: ${RESTART_DEFAULTS.maxRestarts})`,
    )
    .option(
      '--restart-window <duration>',
      `the window of --max-restarts (default: ${formatDuration(RESTART_DEFAULTS.restartWindowMs)})`,
    );
}

/** Turns the flags into spec fields. Throws CliError (usage) for values the spec refuses. */
export function restartSpecFrom(flags: RestartFlags): RestartSpec {
  const policy = flags.restart ?? RESTART_DEFAULTS.restart;
  // A tuning flag without a policy that restarts would be accepted and silently do nothing.
  const given = TUNING.find(([key]) => flags[key] !== undefined);
  if (policy === 'never' && given !== undefined)
    throw new CliError(`${given[1]} needs --restart on-failure or --restart always`, 2);
  const spec: RestartSpec = {
    ...(flags.restart === undefined ? {} : { restart: flags.restart }),
    ...(flags.restartDelay === undefined
      ? {}
      : { restartDelayMs: parseDuration(flags.restartDelay, '--restart-delay') }),
    ...(flags.maxRestartDelay === undefined
      ? {}
      : { maxRestartDelayMs: parseDuration(flags.maxRestartDelay, '--max-restart-delay') }),
    ...(flags.maxRestarts === undefined
      ? {}
      : {
          maxRestarts: parseCount(flags.maxRestarts, '--max-restarts', {
            min: 0,
            max: MAX_RESTARTS_BOUND,
          }),
        }),
    ...(flags.restartWindow === undefined
      ? {}
      : { restartWindowMs: parseWindow(flags.restartWindow) }),
  };
  const delayMs = spec.restartDelayMs ?? RESTART_DEFAULTS.restartDelayMs;
  if (spec.maxRestartDelayMs !== undefined && spec.maxRestartDelayMs < delayMs)
    throw new CliError(
      `invalid --max-restart-delay ${JSON.stringify(flags.maxRestartDelay)}: shorter than the restart delay (${delayMs}ms)`,
      2,
    );
  return spec;
}

// A window of no time would count no restart at all: the spec refuses it.
function parseWindow(text: string): number {
  const ms = parseDuration(text, '--restart-window');
  if (ms === 0)
    throw new CliError(
      `invalid duration for --restart-window: ${JSON.stringify(text)} (longer than 0)`,
      2,
    );
  return ms;
}
