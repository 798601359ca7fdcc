// `runwarden run [options] -- COMMAND...`: starts a run in the daemon (in a group with
// --group) and prints its id (or, with --json, its record).
import { Option, type Command } from 'commander';
import type { RunInfo } from '../types.js';
import { CliError } from './cli-error.js';
import { printJson, type ClientFor, type Print } from './command-helpers.js';
import { addGroupOptions, groupRequestFrom, type GroupFlags } from './group-flags.js';
import { parseDuration } from './parse-duration.js';
import { addRestartOptions, restartSpecFrom, type RestartFlags } from './restart-options.js';

interface RunOptions extends RestartFlags, GroupFlags {
  pty?: boolean;
  durable?: boolean;
  scope?: string;
  replace?: boolean;
  timeout?: string;
  /** commander's `--no-output-timeout <d>`: the string, or `true` when absent. */
  outputTimeout?: string | boolean;
  session?: string;
  owner?: string;
  onOrphan?: 'kill' | 'reattach';
  cwd?: string;
  env: string[];
  json?: boolean;
}

/** Adds the `run` command to `program`. */
export function addRunCommand(program: Command, client: ClientFor, print: Print): void {
  const runCommand = program
    .command('run')
    .description('start a run in the daemon and print its id')
    .option('--pty', 'run on a pseudo-terminal')
    .option(
      '--durable',
      'hold the run in the run host: it keeps its terminal and output across daemon crashes',
    )
    .option('--scope <key>', 'scope key')
    .option('--replace', 'finalize the live runs of the scope first')
    .option('--timeout <duration>', 'end the run after this long (500ms, 30s, 10m, 2h)')
    .option('--no-output-timeout <duration>', 'end the run after this long without output')
    .option('--session <id>', 'session id')
    .option('--owner <id>', 'owner id (default: the session id)')
    .addOption(
      new Option(
        '--on-orphan <policy>',
        'what a later daemon does if this run outlives this one',
      ).choices(['kill', 'reattach']),
    )
    .option('--cwd <dir>', 'working directory')
    .option(
      '--env <K=V>',
      'environment variable (repeatable)',
      (value: string, all: string[]) => [...all, value],
      [],
    );
  addRestartOptions(runCommand);
  addGroupOptions(runCommand)
    .option('--json', 'print the run record')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .action(async (argv: string[], options: RunOptions, command: Command) => {
      const [file, ...args] = argv;
      const group = groupRequestFrom(options);
      const spec = {
        mode: options.pty === true ? 'pty' : 'child',
        command: file,
        args,
        ...(options.scope === undefined ? {} : { scopeKey: options.scope }),
        ...(options.replace === true ? { replaceExistingScope: true } : {}),
        ...(options.timeout === undefined
          ? {}
          : { timeoutMs: parseDuration(options.timeout, '--timeout') }),
        ...(typeof options.outputTimeout === 'string'
          ? { noOutputTimeoutMs: parseDuration(options.outputTimeout, '--no-output-timeout') }
          : {}),
        ...(options.session === undefined ? {} : { sessionId: options.session }),
        ...(options.owner === undefined ? {} : { ownerId: options.owner }),
        ...(options.onOrphan === undefined ? {} : { onOrphan: options.onOrphan }),
        ...(options.durable === true ? { durable: true } : {}),
        ...restartSpecFrom(options),
        cwd: options.cwd ?? process.cwd(),
        env: parseEnv(options.env),
      };
      const { run } = await client(command).call<{ run: RunInfo }>('POST', '/v1/runs', {
        spec,
        ...group,
      });
      if (options.json === true) printJson(print, run);
      else print(`${run.id}\n`);
    });
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`invalid --env ${JSON.stringify(pair)}: expected KEY=VALUE`, 2);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}
