// `runwarden run`'s group flags: --group and the three that set up a group it creates,
// turned into the spawn request's `group` and `groupOptions`. Values the daemon would refuse
// are refused here first, as usage errors (exit 2) naming the flag.
import { Option, type Command } from 'commander';
import { InvalidOptionError } from '../errors.js';
import { parseGroupPath } from '../options/group-options.js';
import { GROUP_DEFAULTS } from '../support/limits.js';
import type { GroupOptions, GroupStrategy } from '../types.js';
import { CliError } from './cli-error.js';
import { formatDuration } from './format-run.js';
import { parseCount, parseDuration } from './parse-duration.js';

/** The group flags as commander hands them over. */
export interface GroupFlags {
  group?: string;
  groupStrategy?: GroupStrategy;
  groupMaxRestarts?: string;
  groupRestartWindow?: string;
}

/** The spawn request's group fields that the flags set. */
export interface GroupRequest {
  group?: string;
  groupOptions?: GroupOptions;
}

// A group's own bound on maxRestarts (src/options/group-options.ts).
const MAX_RESTARTS_BOUND = 10_000;
const SETUP: ReadonlyArray<[keyof GroupFlags, string]> = [
  ['groupStrategy', '--group-strategy'],
  ['groupMaxRestarts', '--group-max-restarts'],
  ['groupRestartWindow', '--group-restart-window'],
];

/** Adds the group flags to `command` (the `run` command). */
export function addGroupOptions(command: Command): Command {
  return command
    .option(
      '--group <name>',
      'start the run in this group (a path: agent-1 or agent-1/mcp), created if missing with the --group-* settings (a live group must have them)',
    )
    .addOption(
      new Option(
        '--group-strategy <strategy>',
        `how the group restarts its runs when one fails (default: ${GROUP_DEFAULTS.strategy})`,
      ).choices(['one-for-one', 'one-for-all', 'rest-for-one']),
    )
    .option(
      '--group-max-restarts <n>',
      `more restarts than this within --group-restart-window fail the group (default: ${GROUP_DEFAULTS.maxRestarts})`,
    )
    .option(
      '--group-restart-window <duration>',
      `the window of --group-max-restarts (default: ${formatDuration(GROUP_DEFAULTS.restartWindowMs)})`,
    );
}

/** Turns the flags into request fields. Throws CliError (usage) for values the daemon refuses. */
export function groupRequestFrom(flags: GroupFlags): GroupRequest {
  const given = SETUP.find(([key]) => flags[key] !== undefined);
  if (flags.group === undefined) {
    if (given !== undefined) throw new CliError(`${given[1]} needs --group NAME`, 2);
    return {};
  }
  const group = checkGroupFlag(flags.group, '--group');
  if (given === undefined) return { group };
  const groupOptions: GroupOptions = {
    ...(flags.groupStrategy === undefined ? {} : { strategy: flags.groupStrategy }),
    ...(flags.groupMaxRestarts === undefined
      ? {}
      : {
          maxRestarts: parseCount(flags.groupMaxRestarts, '--group-max-restarts', {
            min: 0,
            max: MAX_RESTARTS_BOUND,
          }),
        }),
    ...(flags.groupRestartWindow === undefined
      ? {}
      : { restartWindowMs: parseWindow(flags.groupRestartWindow) }),
  };
  return { group, groupOptions };
}

/** A group path given on the command line, checked as the daemon will. */
export function checkGroupFlag(text: string, option: string): string {
  try {
    parseGroupPath(text);
  } catch (error) {
    if (!(error instanceof InvalidOptionError)) throw error;
    throw new CliError(
      `invalid ${option} ${JSON.stringify(text)}: ids of letters, digits, _ . - (up to 64 each, no leading dot) joined by /`,
      2,
    );
  }
  return text;
}

// A window of no time would count no restart at all: the group refuses it.
function parseWindow(text: string): number {
  const ms = parseDuration(text, '--group-restart-window');
  if (ms === 0)
    throw new CliError(
      `invalid duration for --group-restart-window: ${JSON.stringify(text)} (longer than 0)`,
      2,
    );
  return ms;
}
