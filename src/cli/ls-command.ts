// `runwarden ls [--all]`: the live runs (with --all, the retained finished ones too), as a
// table or as JSON.
import type { Command } from 'commander';
import type { RunInfo } from '../types.js';
import { printJson, type ClientFor, type Print } from './command-helpers.js';
import { formatRunTable } from './format-run.js';

/** Adds the `ls` command to `program`. */
export function addLsCommand(program: Command, client: ClientFor, print: Print): void {
  program
    .command('ls')
    .description('list live runs (with --all, retained finished ones too)')
    .option('--all', 'include finished runs')
    .option('--json', 'print the records')
    .action(async (options: { all?: boolean; json?: boolean }, command: Command) => {
      const { runs } = await client(command).call<{ runs: RunInfo[] }>(
        'GET',
        `/v1/runs?all=${options.all === true}`,
      );
      if (options.json === true) printJson(print, runs);
      else print(`${formatRunTable(runs, Date.now())}\n`);
    });
}
