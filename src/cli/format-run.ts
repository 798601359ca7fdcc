// Human output of the CLI on runs: the `ls` table, its state column with restarts and
// backoff, `show`'s restart line, and the exit lines of `kill`, `logs --follow` and `attach`.
// `--json` prints data as it is instead.
import type { RunExit, RunInfo } from '../types.js';

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
  const rows = [['ID', 'STATE', 'PID', 'MODE', 'SCOPE', 'GROUP', 'AGE', 'OUTPUT', 'COMMAND']];
  for (const run of runs) {
    rows.push([
      run.id,
      formatState(run, now),
      // In backoff the pid is the last generation's, which has ended: shown in brackets.
      run.pid === null ? '-' : run.state === 'backoff' ? `(${run.pid})` : String(run.pid),
      run.mode,
      run.scopeKey ?? '-',
      // A daemon older than groups answers no `group`.
      (run.group as string | null | undefined) ?? '-',
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

/** `running`, `done (exit)`, `backoff (restart 2 in 3s)`, `done (restart-limit, 2 restarts)`. */
export function formatState(run: RunInfo, now: number): string {
  const notes: string[] = [];
  if (run.exit !== null) notes.push(run.exit.reason);
  // In backoff `restarts` counts the restarts done; the one awaited is the next.
  if (run.state === 'backoff')
    notes.push(
      `restart ${run.restarts + 1}${run.nextStartAt === null ? '' : ` in ${formatAge(run.nextStartAt - now)}`}`,
    );
  else if (run.restarts > 0) notes.push(countOf(run.restarts, 'restart'));
  return notes.length === 0 ? run.state : `${run.state} (${notes.join(', ')})`;
}

/**
 * How a run ended, in a few words: `exit`, `cancelled (forced)`, `cancelled (1 restart)`,
 * `restart-limit (last exit code 3, 2 restarts)`.
 */
export function formatExit(exit: RunExit): string {
  const notes: string[] = [];
  // The limit is not how the program ended: say how its last generation did.
  if (exit.reason === 'restart-limit') {
    if (exit.signal !== null) notes.push(`last signal ${exit.signal}`);
    else if (exit.exitCode !== null) notes.push(`last exit code ${exit.exitCode}`);
  }
  if (exit.forced) notes.push('forced');
  if (exit.restarts > 0) notes.push(countOf(exit.restarts, 'restart'));
  return notes.length === 0 ? exit.reason : `${exit.reason} (${notes.join(', ')})`;
}

/**
 * `show`'s line on a run's restart policy, or null for a run without one: `restart:
 * on-failure, 1 restart of at most 5 in 1m, delay 1s up to 30s, generation 2, next start in
 * 3s (2026-11-27T20:14:16.000Z)`.
 */
export function formatRestartLine(run: RunInfo, now: number): string | null {
  // A daemon older than restart policies answers no `restart`: treated as `never`.
  if (run.restart !== 'on-failure' && run.restart !== 'always') return null;
  const parts = [
    run.restart,
    `${countOf(run.restarts, 'restart')} of at most ${run.maxRestarts} in ${formatDuration(run.restartWindowMs)}`,
    `delay ${formatDuration(run.restartDelayMs)} up to ${formatDuration(run.maxRestartDelayMs)}`,
    `generation ${run.generation}`,
  ];
  if (run.state === 'backoff' && run.nextStartAt !== null)
    parts.push(
      `next start in ${formatAge(run.nextStartAt - now)} (${new Date(run.nextStartAt).toISOString()})`,
    );
  return `restart: ${parts.join(', ')}`;
}

/** A spec duration in the form the flags take: `500ms`, `30s`, `10m`, `2h`. */
export function formatDuration(ms: number): string {
  if (ms > 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms > 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms > 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** `1 restart`, `2 restarts`. */
export function countOf(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
