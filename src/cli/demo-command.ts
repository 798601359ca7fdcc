// `runwarden demo`: the crash-survive-clean-up story of demo.ts; exits 1 if it leaked.
import type { Command } from 'commander';
import { CliError } from './cli-error.js';
import type { Print } from './command-helpers.js';
import { runDemo } from './demo.js';

/** Adds the `demo` command to `program`; `print` receives its progress text. */
export function addDemoCommand(program: Command, print: Print): void {
  program
    .command('demo')
    .description('a daemon crashes, its run survives, the next daemon cleans up: in ten seconds')
    .action(async () => {
      if (!(await runDemo(print))) throw new CliError('the demo found leaked processes', 1);
    });
}
