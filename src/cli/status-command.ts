// `runwarden status`: the daemon's state, its store's health and its last boot
// reconciliation, in words or as JSON.
import type { Command } from 'commander';
import type { ReconcileReport } from '../reconcile/reconcile-report.js';
import type { StoreHealthInfo } from '../runtime/store-health-info.js';
import type { ContainmentInfo } from '../types.js';
import { printJson, type ClientFor, type Print } from './command-helpers.js';
import { formatReconcileSummary } from './format.js';

interface DaemonStatus {
  name: string;
  pid: number;
  state: string;
  store: string;
  storeHealth: StoreHealthInfo;
  containment?: ContainmentInfo;
  lastReconcile: ReconcileReport | null;
}

/** Adds the `status` command to `program`. */
export function addStatusCommand(program: Command, client: ClientFor, print: Print): void {
  program
    .command('status')
    .description("the daemon's state, its store's health and its last boot reconciliation")
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const status = await client(command).call<DaemonStatus>('GET', '/v1/status');
      if (options.json === true) {
        printJson(print, status);
        return;
      }
      const health = status.storeHealth;
      print(
        [
          `daemon ${status.name} (pid ${status.pid}): ${status.state}`,
          `store ${status.store}: ${health.state}${
            health.state === 'degraded'
              ? ` since ${new Date(health.since).toISOString()} (${health.lastError?.message ?? 'records lagging'}; ${health.laggingRuns.length} run(s) lagging)`
              : ''
          }`,
          // An older daemon does not say.
          `containment: ${status.containment?.mode ?? 'unknown'} (${status.containment?.reason ?? 'not reported by this daemon'})`,
          formatReconcileSummary(status.lastReconcile),
          '',
        ].join('\n'),
      );
    });
}
