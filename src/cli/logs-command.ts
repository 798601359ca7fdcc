// `runwarden logs ID [--since N] [--follow]`: a run's output from a byte offset, written raw
// to stdout; the next offset (or, following, how the run ended) goes to stderr.
import type { Command } from 'commander';
import { CliError } from './cli-error.js';
import type { ClientFor } from './command-helpers.js';
import { followRunOutput } from './follow-logs.js';
import { formatExit } from './format-run.js';

/** Adds the `logs` command to `program`. */
export function addLogsCommand(program: Command, client: ClientFor): void {
  program
    .command('logs')
    .description("print a run's output from an offset; --follow streams it until the run ends")
    .argument('<id>')
    .option('--since <offset>', 'byte offset to start from', '0')
    .option('--follow', 'keep streaming until the run ends')
    .action(async (id: string, options: { since: string; follow?: boolean }, command: Command) => {
      const since = Number(options.since);
      if (!Number.isSafeInteger(since) || since < 0)
        throw new CliError(`invalid --since: ${options.since} (a byte offset)`, 2);
      const path = `/v1/runs/${encodeURIComponent(id)}/output?since=${since}`;
      if (options.follow === true) {
        const exit = await followRunOutput(client(command), id, {
          since,
          onData: (chunk) => process.stdout.write(chunk),
          onReconnecting: () => process.stderr.write('daemon connection lost; reconnecting\n'),
        });
        process.stderr.write(`run ended: ${exit === null ? 'unknown' : formatExit(exit)}\n`);
        return;
      }
      const slice = await client(command).call<{ data: string; nextOffset: number }>('GET', path);
      process.stdout.write(Buffer.from(slice.data, 'base64'));
      process.stderr.write(`next offset: ${slice.nextOffset}\n`);
    });
}
