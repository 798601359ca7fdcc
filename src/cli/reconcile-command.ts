// `runwarden reconcile`: asks the running daemon, or, with none, reconciles the store itself.
import type { Command } from 'commander';
import type { ReconcileReport } from '../reconcile/reconcile-report.js';
import { resolveHome } from '../persistence/home-dir.js';
import { reconcileStore } from '../reconcile-store.js';
import { CliError } from './cli-error.js';
import { printJson, type ClientFor, type GlobalOptions, type Print } from './command-helpers.js';
import { formatNewer } from './format.js';
import type { ControlClient } from './control-client.js';

/** Adds the `reconcile` command to `program`. */
export function addReconcileCommand(program: Command, client: ClientFor, print: Print): void {
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
        if (options.json === true) printJson(print, { source, ...report });
        else print(`${formatReport(source, report)}\n`);
      },
    );
}

export interface ReconcileCommandOptions {
  readonly home: string;
  readonly name: string;
  readonly store?: string;
  readonly dryRun: boolean;
}

/** Returns the report and where it came from. */
export async function reconcileCommand(
  client: ControlClient,
  options: ReconcileCommandOptions,
): Promise<{ source: 'daemon' | 'store'; report: ReconcileReport }> {
  try {
    const { report } = await client.call<{ report: ReconcileReport }>('POST', '/v1/reconcile', {
      dryRun: options.dryRun,
    });
    return { source: 'daemon', report };
  } catch (error) {
    if (!(error instanceof CliError) || !error.message.includes('is not running')) throw error;
  }
  const report = await reconcileStore({
    home: options.home,
    name: options.name,
    dryRun: options.dryRun,
    ...(options.store === undefined ? {} : { store: options.store }),
  });
  return { source: 'store', report };
}

/** A few lines a person can read. */
export function formatReport(source: string, report: ReconcileReport): string {
  const list = (ids: readonly unknown[]) =>
    ids.length === 0
      ? '-'
      : ids.map((id) => (typeof id === 'string' ? id : JSON.stringify(id))).join(', ');
  return [
    `reconciled by the ${source}${report.dryRun ? ' (dry run: nothing was signalled)' : ''} in ${report.durationMs} ms`,
    `  killed:          ${list(report.killed)}`,
    `  reattached:      ${list(report.reattached)}`,
    `  lost:            ${list(report.lost)}`,
    `  uncertain:       ${list(report.uncertain)}`,
    `  quarantined:     ${list(report.quarantined)}`,
    `  escapees killed: ${list(report.escapeesKilled)}`,
    `  unknown markers: ${list(report.unknownMarked)}`,
    `  unreadable:      ${report.unreadable} (other users' processes: not judged, not signalled)`,
    ...formatNewer(report).map((line) => `  ${line}`),
  ].join('\n');
}
