// `runwarden attach ID [--detach-key ctrl-X]`: an interactive terminal on a PTY run
// (attach.ts); says on stderr whether it detached or the run ended.
import type { Command } from 'commander';
import { attachToRun, DEFAULT_DETACH_KEY, parseDetachKey } from './attach.js';
import type { ClientFor } from './command-helpers.js';
import { formatExit } from './format-run.js';

/** Adds the `attach` command to `program`. */
export function addAttachCommand(program: Command, client: ClientFor): void {
  program
    .command('attach')
    .description(
      `an interactive terminal on a PTY run; ${DEFAULT_DETACH_KEY} detaches and leaves it running`,
    )
    .argument('<id>')
    .option('--detach-key <key>', 'the key that detaches (ctrl-X)', DEFAULT_DETACH_KEY)
    .action(async (id: string, options: { detachKey: string }, command: Command) => {
      const end = await attachToRun(client(command), id, parseDetachKey(options.detachKey));
      process.stderr.write(
        end.kind === 'detached'
          ? `\r\n[detached from ${id}; it keeps running]\r\n`
          : `\r\n[run ${id} ended: ${end.exit === null ? 'unknown' : formatExit(end.exit)}]\r\n`,
      );
    });
}
