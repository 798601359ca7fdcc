// `runwarden kill ID` or `runwarden kill --scope KEY`: finalizes a run, or every live run of
// a scope, and prints how each ended.
import type { Command } from 'commander';
import type { RunExit } from '../types.js';
import { CliError } from './cli-error.js';
import { printJson, type ClientFor, type Print } from './command-helpers.js';
import { formatExit } from './format-run.js';

/** Adds the `kill` command to `program`. */
export function addKillCommand(program: Command, client: ClientFor, print: Print): void {
  program
    .command('kill')
    .description('finalize a run (or every live run of --scope): SIGTERM, grace, SIGKILL, verified')
    .argument('[id]')
    .option('--scope <key>', 'finalize every live run of this scope')
    .option('--json', 'print the exit record(s)')
    .action(
      async (
        id: string | undefined,
        options: { scope?: string; json?: boolean },
        command: Command,
      ) => {
        if ((id === undefined) === (options.scope === undefined))
          throw new CliError('give a run id or --scope KEY (one of them)', 2);
        const api = client(command);
        const exits =
          id === undefined
            ? (
                await api.call<{ exits: RunExit[] }>(
                  'POST',
                  `/v1/scopes/${encodeURIComponent(options.scope ?? '')}/cancel`,
                )
              ).exits
            : [
                (
                  await api.call<{ exit: RunExit }>(
                    'POST',
                    `/v1/runs/${encodeURIComponent(id)}/cancel`,
                  )
                ).exit,
              ];
        if (options.json === true) printJson(print, exits);
        else for (const exit of exits) print(`${formatExit(exit)}\n`);
      },
    );
}
