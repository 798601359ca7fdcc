// What the command files share: the global options, how a command reaches the daemon and
// how it prints. program.ts builds the client and the printer; each command receives them.
import type { Command } from 'commander';
import type { ControlClient } from './control-client.js';

/** The options given before the command (`--home`, `--name`). */
export interface GlobalOptions {
  home?: string;
  name: string;
}

/** Receives stdout text (tests capture it). */
export type Print = (text: string) => void;

/** The control client of the daemon a command's global options name. */
export type ClientFor = (command: Command) => ControlClient;

/** Prints `value` as indented JSON on a line of its own. */
export function printJson(print: Print, value: unknown): void {
  print(`${JSON.stringify(value, null, 2)}\n`);
}
