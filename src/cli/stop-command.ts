// `runwarden stop [--leave]`: asks the daemon to stop, as SIGTERM would, and waits until it
// has: its runs finalized (the default) or left to the next daemon (`--leave`, for an
// upgrade or a restart with live runs).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { readIdentity } from '../os/process-identity.js';
import { CliError, DaemonUnreachableError } from './cli-error.js';
import type { ControlClient } from './control-client.js';

/** How long `stop` waits for the daemon to go (its runs' kill grace included). */
const STOP_WAIT_MS = 120_000;

/** Adds the `stop` command to `program`. */
export function addStopCommand(
  program: Command,
  client: (command: Command) => ControlClient,
  print: (text: string) => void,
): void {
  program
    .command('stop')
    .description('stop the daemon: its live runs are finalized, or left to the next daemon')
    .option('--leave', 'leave live runs running, for the next daemon to adopt')
    .option('--json', 'print the outcome as JSON')
    .action(async (options: { leave?: boolean; json?: boolean }, command: Command) => {
      const control = client(command);
      const runs = options.leave === true ? 'leave' : 'kill';
      const { pid } = await control.call<{ pid: number }>('POST', '/v1/shutdown', { runs });
      await waitUntilGone(control, pid);
      if (options.json === true) print(`${JSON.stringify({ stopped: true, pid, runs })}\n`);
      else print(`daemon ${pid} stopped (runs: ${runs === 'leave' ? 'left running' : 'ended'})\n`);
    });
}

// The daemon closes its socket once its runs are drained and its store is closed, then
// exits. Only the process table is read for the pid it named: nothing is signalled here.
async function waitUntilGone(control: ControlClient, pid: number): Promise<void> {
  const deadline = Date.now() + STOP_WAIT_MS;
  let socketGone = false;
  while (Date.now() < deadline) {
    if (!socketGone) {
      try {
        await control.call('GET', '/v1/status');
      } catch (error) {
        // 503 while it drains; anything else is not for `stop` to judge.
        socketGone = error instanceof DaemonUnreachableError;
      }
    }
    if (socketGone && !isRunning(pid)) return;
    await sleep(100);
  }
  throw new CliError(`the daemon did not stop within ${STOP_WAIT_MS / 1000} s`, 1);
}

// A zombie (exited, not yet reaped by whoever started the daemon) counts as gone.
function isRunning(pid: number): boolean {
  return readIdentity(pid) !== undefined;
}
