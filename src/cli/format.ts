// Human output of the CLI on reconciliation (runs: format-run.ts). `--json` prints data as it
// is instead.
import type { NewerRecord, ReconcileReport } from '../reconcile/reconcile-report.js';

/** One line on what the daemon's boot reconciliation found and did. */
export function formatReconcileSummary(report: ReconcileReport | null): string {
  if (report === null) return 'last boot: no reconciliation';
  const counts: Array<[string, number]> = [
    ['killed', report.killed.length],
    ['reattached', report.reattached.length],
    ['lost', report.lost.length],
    ['uncertain', report.uncertain.length],
    ['quarantined', report.quarantined.length],
    ['escapees killed', report.escapeesKilled.length],
    ['expired', report.expired],
  ];
  const done = counts.filter(([, n]) => n > 0).map(([what, n]) => `${n} ${what}`);
  const summary = `last boot: ${done.length === 0 ? 'nothing to reconcile' : done.join(', ')} (${report.durationMs} ms)`;
  return [summary, ...formatNewer(report)].join('\n');
}

/** One line per record of a newer runwarden: left untouched, and what it needs. */
export function formatNewer(report: { readonly newer?: readonly NewerRecord[] }): string[] {
  // A daemon of an older build answers no `newer` field.
  return (report.newer ?? []).map(
    (newer) =>
      `left untouched: ${newer.key} is schema v${newer.schemaVersion}; it needs ${newer.needs}`,
  );
}
