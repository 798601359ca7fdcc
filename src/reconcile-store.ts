// Reconciliation without a running supervisor (`runwarden reconcile` with no daemon).
import { reconcileOnBoot } from './reconcile/reconcile-on-boot.js';
import type { ReconcileReport } from './reconcile/reconcile-report.js';
import { createSupervisor } from './create-supervisor.js';
import { resolveSupervisorOptions, type SupervisorOptions } from './options/supervisor-options.js';
import { findHostedRun } from './host/client/find-hosted-run.js';
import { RunHostLink } from './host/client/run-host-link.js';
import { processTable } from './os/process-table.js';
import { ensurePrivateDir, resolveHome } from './persistence/home-dir.js';
import { openStore } from './persistence/open-store.js';
import { RecordStore } from './persistence/record-store.js';

/**
 * Reconciles the runs recorded for (host, name) and returns the report.
 * - `dryRun: true`: read-only. No lease is taken, nothing is written, restored or
 *   signalled; the report says what a boot would do now.
 * - otherwise: boots a supervisor (taking the lease, so it fails with SupervisorBusyError
 *   while a daemon owns the name), reconciles, and stops with `leave`: reattached runs
 *   stay alive for the next supervisor.
 */
export async function reconcileStore(
  options: SupervisorOptions & { dryRun?: boolean } = {},
): Promise<ReconcileReport> {
  const { dryRun = false, ...supervisorOptions } = options;
  if (!dryRun) {
    const sup = await createSupervisor(supervisorOptions);
    const report = sup.lastReconcile;
    await sup.shutdown({ runs: 'leave' });
    if (report === null) throw new Error('boot finished without a reconcile report');
    return report;
  }
  const resolved = resolveSupervisorOptions(supervisorOptions);
  processTable();
  const home = resolveHome(resolved.home);
  ensurePrivateDir(home);
  const opened = await openStore(resolved.store, home, resolved.logger);
  const link = new RunHostLink(home, resolved.name);
  try {
    const store = new RecordStore(opened.keyv, resolved.name, () => resolved.clock.now());
    return await reconcileOnBoot(
      {
        store,
        logger: resolved.logger,
        now: () => resolved.clock.now(),
        defaultPolicy: resolved.onOrphan,
        retention: resolved.retention,
        adoptOrphan: () => Promise.resolve({ decision: 'uncertain', restarting: false }),
        findHosted: (context) => findHostedRun(link, context),
        // A dry run releases nothing.
        releaseUnbridged: () => Promise.resolve(),
        removeRunFiles: () => undefined,
        retainFinished: () => undefined,
        rewriteAdopted: () => Promise.resolve(),
      },
      true,
    );
  } finally {
    link.close();
    await opened.close();
  }
}
