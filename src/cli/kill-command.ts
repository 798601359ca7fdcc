// `runwarden kill ID`, `runwarden kill --scope KEY` or `runwarden kill --group NAME`: finalizes
// a run, every live run of a scope, or a group's whole subtree (last started first), and
// prints how each ended.
import type { Command } from 'commander';
import type { RunExit } from '../types.js';
import { CliError } from './cli-error.js';
import { printJson, type ClientFor, type Print } from './command-helpers.js';
import type { ControlClient } from './control-client.js';
import { formatExit } from './format-run.js';
import { checkGroupFlag } from './group-flags.js';

interface KillOptions {
  scope?: string;
  group?: string;
  json?: boolean;
}

/** Adds the `kill` command to `program`. */
export function addKillCommand(program: Command, client: ClientFor, print: Print): void {
  program
    .command('kill')
    .description(
      'finalize a run (or every live run of --scope, or the subtree of --group): SIGTERM, grace, SIGKILL, verified',
    )
    .argument('[id]')
    .option('--scope <key>', 'finalize every live run of this scope')
    .option(
      '--group <name>',
      'end this group (a path: agent-1 or agent-1/mcp): its runs and groups, last started first',
    )
    .option('--json', 'print the exit record(s)')
    .action(async (id: string | undefined, options: KillOptions, command: Command) => {
      const given = [id, options.scope, options.group].filter((what) => what !== undefined);
      if (given.length !== 1)
        throw new CliError('give a run id, --scope KEY or --group NAME (one of them)', 2);
      const exits = await cancel(client(command), id, options);
      if (options.json === true) printJson(print, exits);
      else for (const exit of exits) print(`${formatExit(exit)}\n`);
    });
}

// The exits, in the order the daemon ended the runs.
async function cancel(
  api: ControlClient,
  id: string | undefined,
  { scope, group }: KillOptions,
): Promise<RunExit[]> {
  if (id !== undefined) {
    const path = `/v1/runs/${encodeURIComponent(id)}/cancel`;
    return [(await api.call<{ exit: RunExit }>('POST', path)).exit];
  }
  const path =
    group === undefined
      ? `/v1/scopes/${encodeURIComponent(scope ?? '')}/cancel`
      : `/v1/groups/${encodeURIComponent(checkGroupFlag(group, '--group'))}/cancel`;
  return (await api.call<{ exits: RunExit[] }>('POST', path)).exits;
}
