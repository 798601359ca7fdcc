// `runwarden stop [--leave]`: asks the daemon to stop, as SIGTERM would, and waits until it
// has: its runs finalized, or left to the next daemon (`--leave`, for an upgrade or a
// restart with live runs). Without `--leave` the daemon's own --on-shutdown policy applies.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { checkIdentity, type ProcessIdentity } from '../os/process-identity.js';
import { CliError } from './cli-error.js';
import type { ClientFor, Print } from './command-helpers.js';
import type { ControlClient } from './control-client.js';

/** How long `stop` waits for the daemon to be gone (its runs' kill grace included). */
const STOP_WAIT_MS = 10 * 60_000;

interface StopAnswer {
  readonly pid: number;
  readonly identity: ProcessIdentity | null;
  readonly runs: 'kill' | 'leave';
}

/** Adds the `stop` command to `program`. */
export function addStopCommand(program: Command, client: ClientFor, print: Print): void {
  program
    .command('stop')
    .description('stop the daemon: its live runs are finalized, or left to the next daemon')
    .option('--leave', 'leave live runs running, for the next daemon to adopt')
    .option('--json', 'print the outcome as JSON')
    .action(async (options: { leave?: boolean; json?: boolean }, command: Command) => {
      const asked = options.leave === true ? { runs: 'leave' } : {};
      const answer = await askToStop(client(command), asked);
      if (answer.identity !== null) await waitUntilGone(answer.identity);
      if (options.leave === true && answer.runs !== 'leave')
        throw new CliError(
          `daemon ${answer.pid} was already stopping and ending its runs; they were not left`,
          1,
        );
      if (options.json === true)
        print(`${JSON.stringify({ stopped: true, pid: answer.pid, runs: answer.runs })}\n`);
      else
        print(
          `daemon ${answer.pid} stopped (runs: ${answer.runs === 'leave' ? 'left running' : 'ended'})\n`,
        );
    });
}

async function askToStop(control: ControlClient, body: object): Promise<StopAnswer> {
  try {
    return await control.call<StopAnswer>('POST', '/v1/shutdown', body);
  } catch (error) {
    // A daemon of 0.1.0 has no such route.
    if (error instanceof CliError && error.message.includes('(E_NO_ROUTE)'))
      throw new CliError(
        'this daemon is older than `runwarden stop`: send it SIGTERM instead (it leaves its runs if it was started with --on-shutdown leave)',
        1,
      );
    throw error;
  }
}

// The daemon closes its socket once its runs are drained and its store is closed, then
// exits. Its identity (pid and start time) tells when it is gone; nothing is signalled.
async function waitUntilGone(identity: ProcessIdentity): Promise<void> {
  const deadline = Date.now() + STOP_WAIT_MS;
  while (checkIdentity(identity) === 'alive') {
    if (Date.now() > deadline)
      throw new CliError(
        `daemon ${identity.pid} did not stop within ${STOP_WAIT_MS / 60_000} min`,
        1,
      );
    await sleep(100);
  }
}
