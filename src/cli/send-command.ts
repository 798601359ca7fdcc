// `runwarden send ID TEXT`: writes TEXT to a run's stdin or terminal; prints nothing.
import type { Command } from 'commander';
import type { ClientFor } from './command-helpers.js';

/** Adds the `send` command to `program`. */
export function addSendCommand(program: Command, client: ClientFor): void {
  program
    .command('send')
    .description("write TEXT to a run's stdin or terminal")
    .argument('<id>')
    .argument('<text>')
    .action(async (id: string, text: string, _options: unknown, command: Command) => {
      await client(command).call('POST', `/v1/runs/${encodeURIComponent(id)}/input`, {
        data: text,
      });
    });
}
