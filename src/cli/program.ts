// The `runwarden` command line. Every command but `daemon` talks to the daemon through
// its control socket (ControlClient); `daemon` is the library embedded in a process.
import { Command, Option } from 'commander';
import { socketPathFor } from '../daemon/socket-path.js';
import { resolveHome } from '../persistence/home-dir.js';
import type { RunExit, RunInfo } from '../types.js';
import { addChartCommand } from './chart-command.js';
import { addDaemonCommand } from './daemon-command.js';
import { addStatusCommand } from './status-command.js';
import { addStopCommand } from './stop-command.js';
import { CliError } from './cli-error.js';
import { ControlClient } from './control-client.js';
import { formatRunTable } from './format.js';
import { followRunOutput } from './follow-logs.js';
import { attachToRun, DEFAULT_DETACH_KEY, parseDetachKey } from './attach.js';
import { parseDuration } from './parse-duration.js';
import { formatReport, reconcileCommand } from './reconcile-command.js';
import { runDemo } from './demo.js';

interface GlobalOptions {
  home?: string;
  name: string;
}

/** Builds the program; `print` receives stdout text (tests capture it). */
export function buildProgram(print: (text: string) => void): Command {
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
  const client = (command: Command): ControlClient => {
    const options = command.optsWithGlobals<GlobalOptions>();
    const home = resolveHome(options.home);
    return new ControlClient(socketPathFor(home, options.name), home);
  };
  const json = (value: unknown) => {
    print(`${JSON.stringify(value, null, 2)}\n`);
  };

  addDaemonCommand(program, print);

  program
    .command('run')
    .description('start a run in the daemon and print its id')
    .option('--pty', 'run on a pseudo-terminal')
    .option(
      '--durable',
      'hold the run in the run host: it keeps its terminal and output across daemon crashes',
    )
    .option('--scope <key>', 'scope key')
    .option('--replace', 'finalize the live runs of the scope first')
    .option('--timeout <duration>', 'end the run after this long (500ms, 30s, 10m, 2h)')
    .option('--no-output-timeout <duration>', 'end the run after this long without output')
    .option('--session <id>', 'session id')
    .option('--owner <id>', 'owner id (default: the session id)')
    .addOption(
      new Option(
        '--on-orphan <policy>',
        'what a later daemon does if this run outlives this one',
      ).choices(['kill', 'reattach']),
    )
    .option('--cwd <dir>', 'working directory')
    .option(
      '--env <K=V>',
      'environment variable (repeatable)',
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .option('--json', 'print the run record')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .action(async (argv: string[], options: RunOptions, command: Command) => {
      const [file, ...args] = argv;
      const spec = {
        mode: options.pty === true ? 'pty' : 'child',
        command: file,
        args,
        ...(options.scope === undefined ? {} : { scopeKey: options.scope }),
        ...(options.replace === true ? { replaceExistingScope: true } : {}),
        ...(options.timeout === undefined
          ? {}
          : { timeoutMs: parseDuration(options.timeout, '--timeout') }),
        ...(typeof options.outputTimeout === 'string'
          ? { noOutputTimeoutMs: parseDuration(options.outputTimeout, '--no-output-timeout') }
          : {}),
        ...(options.session === undefined ? {} : { sessionId: options.session }),
        ...(options.owner === undefined ? {} : { ownerId: options.owner }),
        ...(options.onOrphan === undefined ? {} : { onOrphan: options.onOrphan }),
        ...(options.durable === true ? { durable: true } : {}),
        cwd: options.cwd ?? process.cwd(),
        env: parseEnv(options.env),
      };
      const { run } = await client(command).call<{ run: RunInfo }>('POST', '/v1/runs', { spec });
      if (options.json === true) json(run);
      else print(`${run.id}\n`);
    });

  addStatusCommand(program, client, print);

  program
    .command('ls')
    .description('list live runs (with --all, retained finished ones too)')
    .option('--all', 'include finished runs')
    .option('--json', 'print the records')
    .action(async (options: { all?: boolean; json?: boolean }, command: Command) => {
      const { runs } = await client(command).call<{ runs: RunInfo[] }>(
        'GET',
        `/v1/runs?all=${options.all === true}`,
      );
      if (options.json === true) json(runs);
      else print(`${formatRunTable(runs, Date.now())}\n`);
    });

  program
    .command('show')
    .description('show one run')
    .argument('<id>')
    .option('--json', 'print the record as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const { run } = await client(command).call<{ run: RunInfo }>(
        'GET',
        `/v1/runs/${encodeURIComponent(id)}`,
      );
      if (options.json === true) json(run);
      else
        print(
          `${formatRunTable([run], Date.now())}\n${run.exit === null ? '' : `exit: ${JSON.stringify(run.exit)}\n`}`,
        );
    });

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
        process.stderr.write(`run ended: ${exit?.reason ?? 'unknown'}\n`);
        return;
      }
      const slice = await client(command).call<{ data: string; nextOffset: number }>('GET', path);
      process.stdout.write(Buffer.from(slice.data, 'base64'));
      process.stderr.write(`next offset: ${slice.nextOffset}\n`);
    });

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
          : `\r\n[run ${id} ended: ${end.exit?.reason ?? 'unknown'}]\r\n`,
      );
    });

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

  program
    .command('kill')
    .description('finalize a run (or every live run of --scope): SIGTERM, grace, SIGKILL, verified')
    .argument('[id]')
    .option('--scope <key>', 'finalize every live run of this scope')
    .option('--json', 'print the exit record(s)')
    .action(
      async (
        id: string | undefined,
        options: { scope?: string; json?: boolean },
        command: Command,
      ) => {
        if ((id === undefined) === (options.scope === undefined))
          throw new CliError('give a run id or --scope KEY (one of them)', 2);
        const api = client(command);
        const exits =
          id === undefined
            ? (
                await api.call<{ exits: RunExit[] }>(
                  'POST',
                  `/v1/scopes/${encodeURIComponent(options.scope ?? '')}/cancel`,
                )
              ).exits
            : [
                (
                  await api.call<{ exit: RunExit }>(
                    'POST',
                    `/v1/runs/${encodeURIComponent(id)}/cancel`,
                  )
                ).exit,
              ];
        if (options.json === true) json(exits);
        else for (const exit of exits) print(`${exit.reason}${exit.forced ? ' (forced)' : ''}\n`);
      },
    );

  program
    .command('reconcile')
    .description(
      'reconcile orphans: through the running daemon, or, with none, on the store directly',
    )
    .option('--dry-run', 'report what would be done; signal nothing')
    .option('--store <url>', 'the store, when no daemon runs (default: SQLite in the home)')
    .option('--json', 'print the report as JSON')
    .action(
      async (options: { dryRun?: boolean; store?: string; json?: boolean }, command: Command) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const { source, report } = await reconcileCommand(client(command), {
          home: resolveHome(globals.home),
          name: globals.name,
          dryRun: options.dryRun === true,
          ...(options.store === undefined ? {} : { store: options.store }),
        });
        if (options.json === true) json({ source, ...report });
        else print(`${formatReport(source, report)}\n`);
      },
    );

  addChartCommand(program, print);
  addStopCommand(program, client, print);

  program
    .command('demo')
    .description('a daemon crashes, its run survives, the next daemon cleans up: in ten seconds')
    .action(async () => {
      if (!(await runDemo(print))) throw new CliError('the demo found leaked processes', 1);
    });

  return program;
}

interface RunOptions {
  pty?: boolean;
  durable?: boolean;
  scope?: string;
  replace?: boolean;
  timeout?: string;
  /** commander's `--no-output-timeout <d>`: the string, or `true` when absent. */
  outputTimeout?: string | boolean;
  session?: string;
  owner?: string;
  onOrphan?: 'kill' | 'reattach';
  cwd?: string;
  env: string[];
  json?: boolean;
}

function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`invalid --env ${JSON.stringify(pair)}: expected KEY=VALUE`, 2);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}
