// `runwarden daemon`: the library embedded in a foreground process that serves the control
// socket (and, with --http, the dashboard) until SIGTERM, SIGINT or `runwarden stop`.
import { Option, type Command } from 'commander';
import { runDaemon } from '../run-daemon.js';
import type { GlobalOptions, Print } from './command-helpers.js';
import { parseCount } from './parse-duration.js';

/** Adds the `daemon` command to `program`; `print` receives what it says on stdout. */
export function addDaemonCommand(program: Command, print: Print): void {
  program
    .command('daemon')
    .description('run the supervisor in the foreground and serve the control socket')
    .option(
      '--store <url>',
      'sqlite://PATH, redis://HOST:PORT or postgres://... (default: SQLite in the home)',
    )
    .addOption(
      new Option('--on-orphan <policy>', 'what to do with runs a previous daemon left').choices([
        'kill',
        'reattach',
      ]),
    )
    .addOption(
      new Option('--on-shutdown <policy>', 'what to do with live runs on SIGTERM/SIGINT')
        .choices(['kill', 'leave'])
        .default('kill'),
    )
    .option(
      '--http <host:port>',
      'serve the dashboard on this loopback address (127.0.0.1:PORT; port 0 picks one)',
    )
    .option('--max-live-runs <n>', 'refuse spawns beyond this many live runs (default 512)')
    // Hidden, tests only: this daemon plays a runwarden of another run host protocol.
    .addOption(new Option('--host-protocol <n>').hideHelp())
    .action(
      async (
        options: {
          store?: string;
          onOrphan?: 'kill' | 'reattach';
          onShutdown: 'kill' | 'leave';
          http?: string;
          maxLiveRuns?: string;
          hostProtocol?: string;
        },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        await runDaemon({
          ...(globals.home === undefined ? {} : { home: globals.home }),
          name: globals.name,
          ...(options.store === undefined ? {} : { store: options.store }),
          ...(options.onOrphan === undefined ? {} : { onOrphan: options.onOrphan }),
          onShutdown: options.onShutdown,
          ...(options.http === undefined ? {} : { http: options.http }),
          ...(options.maxLiveRuns === undefined
            ? {}
            : { maxLiveRuns: parseCount(options.maxLiveRuns, '--max-live-runs') }),
          ...(options.hostProtocol === undefined
            ? {}
            : { hostProtocol: parseCount(options.hostProtocol, '--host-protocol') }),
          onReady: ({ socketPath, report, dashboard }) => {
            print(`runwarden daemon ${process.pid} listening on ${socketPath}\n`);
            // The one place the token is shown; the file keeps it for the owner only.
            if (dashboard !== null)
              print(
                `dashboard: ${dashboard.url}?token=${dashboard.token} (token in ${dashboard.tokenFile}, mode 0600)\n`,
              );
            print(`reconcile: ${JSON.stringify(report)}\n`);
          },
        });
        // Shut down: runs were finalized, or left to the next daemon with descriptors that
        // must not keep this process alive.
        process.exit(0);
      },
    );
}
