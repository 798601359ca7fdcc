// The `runwarden` command line. Every command but `daemon` talks to the daemon through
// its control socket (ControlClient); `daemon` is the library embedded in a process.
// Each command is in its own `<command>-command.ts`; this file builds the program, its
// global options and the client the commands share, and adds them in the order of --help.
import { Command } from 'commander';
import { socketPathFor } from '../daemon/socket-path.js';
import { resolveHome } from '../persistence/home-dir.js';
import { addAttachCommand } from './attach-command.js';
import { addChartCommand } from './chart-command.js';
import type { ClientFor, GlobalOptions, Print } from './command-helpers.js';
import { ControlClient } from './control-client.js';
import { addDaemonCommand } from './daemon-command.js';
import { addDemoCommand } from './demo-command.js';
import { addKillCommand } from './kill-command.js';
import { addLogsCommand } from './logs-command.js';
import { addLsCommand } from './ls-command.js';
import { addReconcileCommand } from './reconcile-command.js';
import { addRunCommand } from './run-command.js';
import { addSendCommand } from './send-command.js';
import { addShowCommand } from './show-command.js';
import { addStatusCommand } from './status-command.js';
import { addStopCommand } from './stop-command.js';

/** Builds the program; `print` receives stdout text (tests capture it). */
export function buildProgram(print: Print): Command {
  const program = new Command('runwarden')
    .description(
      'Supervise background command runs so that none is lost, leaked or killed by mistake.',
    )
    .option(
      '--home <dir>',
      'state directory (default: RUNWARDEN_HOME, $XDG_STATE_HOME/runwarden, ~/.local/state/runwarden)',
    )
    .option('--name <name>', 'supervisor name', 'default')
    .showHelpAfterError()
    .exitOverride();
  const client: ClientFor = (command) => {
    const options = command.optsWithGlobals<GlobalOptions>();
    const home = resolveHome(options.home);
    return new ControlClient(socketPathFor(home, options.name), home);
  };

  addDaemonCommand(program, print);
  addRunCommand(program, client, print);
  addStatusCommand(program, client, print);
  addLsCommand(program, client, print);
  addShowCommand(program, client, print);
  addLogsCommand(program, client);
  addAttachCommand(program, client);
  addSendCommand(program, client);
  addKillCommand(program, client, print);
  addReconcileCommand(program, client, print);
  addChartCommand(program, print);
  addStopCommand(program, client, print);
  addDemoCommand(program, print);
  return program;
}
