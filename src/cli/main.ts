#!/usr/bin/env node
// Entry point of the `runwarden` binary: exit 0 on success, 1 on failure, 2 on usage errors.
import { CommanderError } from 'commander';
import { InvalidOptionError, SupervisorBusyError } from '../errors.js';
import { CliError } from './cli-error.js';
import { buildProgram } from './program.js';

const program = buildProgram((text) => process.stdout.write(text));
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitCodeFor(error);
  if (!(error instanceof CommanderError)) {
    process.stderr.write(`runwarden: ${error instanceof Error ? error.message : String(error)}\n`);
  } else if (error.code === 'commander.help' && error.exitCode !== 0) {
    // Commander showed the usage for a missing or unknown command, without saying so.
    process.stderr.write(`runwarden: ${missingCommand(program.args)} (see the usage above)\n`);
  }
}

function missingCommand([first, second]: readonly string[]): string {
  const name = first === 'help' ? second : first;
  return name === undefined ? 'a command is required' : `no command named ${JSON.stringify(name)}`;
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // --help and --version "fail" with exit code 0 by design.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof InvalidOptionError) return 2;
  if (error instanceof SupervisorBusyError) return 1;
  return 1;
}
