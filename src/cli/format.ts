// Human output of the CLI: tables and durations. `--json` prints data as it is instead.
import type { NewerRecord, ReconcileReport } from '../reconcile/reconcile-report.js';
import type { RunInfo } from '../types.js';

/** `3s`, `4m`, `2h`, `3d`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** The `ls` table. */
export function formatRunTable(runs: readonly RunInfo[], now: number): string {
  const rows = [['ID', 'STATE', 'PID', 'MODE', 'SCOPE', 'AGE', 'OUTPUT', 'COMMAND']];
  for (const run of runs) {
    rows.push([
      run.id,
      run.exit === null ? run.state : `${run.state} (${run.exit.reason})`,
      run.pid === null ? '-' : String(run.pid),
      run.mode,
      run.scopeKey ?? '-',
      formatAge(now - run.createdAt),
      run.lastOutputAt === null ? '-' : `${formatAge(now - run.lastOutputAt)} ago`,
      [run.command, ...run.args].join(' ').slice(0, 60),
    ]);
  }
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

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
