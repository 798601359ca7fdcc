// `runwarden show ID`: one run, as a table row, its restart policy and its exit, or as JSON.
import type { Command } from 'commander';
import type { RunInfo } from '../types.js';
import { printJson, type ClientFor, type Print } from './command-helpers.js';
import { formatRestartLine, formatRunTable } from './format-run.js';

/** Adds the `show` command to `program`. */
export function addShowCommand(program: Command, client: ClientFor, print: Print): void {
  program
    .command('show')
    .description('show one run')
    .argument('<id>')
    .option('--json', 'print the record as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { run } = await client(command).call<{ run: RunInfo }>(
        'GET',
        `/v1/runs/${encodeURIComponent(id)}`,
      );
      if (options.json === true) {
        printJson(print, run);
        return;
      }
      const now = Date.now();
      const restart = formatRestartLine(run, now);
      print(
        `${formatRunTable([run], now)}\n${restart === null ? '' : `${restart}\n`}${run.exit === null ? '' : `exit: ${JSON.stringify(run.exit)}\n`}`,
      );
    });
}
