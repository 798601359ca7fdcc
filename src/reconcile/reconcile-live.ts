// Reconciliation of a running supervisor with the process table: escapees of runs that
// already finished are ended, markers of runs it does not know are only reported.
import { RUN_MARKER } from '../os/run-marker.js';
import { findMarkedProcesses } from '../os/find-marked-processes.js';
import type { RunInfo } from '../types.js';
import type { Logger } from '../support/logger.js';
import { noDecisions, type NewerRecord, type ReconcileReport } from './reconcile-report.js';
import { groupByRun, sweepEscapees } from './sweep-escapees.js';

/**
 * One /proc scan, then the escapee sweep. With `dryRun` nothing is signalled. `newer` are
 * the records a newer runwarden wrote (found at boot): reported again, their runs never judged.
 */
export async function reconcileLive(
  runs: {
    /** Whether the supervisor holds the run alive. */
    isLive(runId: string): boolean;
    /** A finished run's kill grace, or undefined when the run is unknown. */
    finishedGraceMs(runId: string): number | undefined;
  },
  logger: Logger,
  dryRun: boolean,
  newer: readonly NewerRecord[] = [],
): Promise<ReconcileReport> {
  const newerIds = new Set(newer.map((record) => record.runId));
  const started = performance.now();
  const scan = findMarkedProcesses(RUN_MARKER);
  const marked = groupByRun(scan.found);
  const swept = await sweepEscapees(
    marked,
    {
      isLive: (runId) => runs.isLive(runId),
      isNewer: (runId) => newerIds.has(runId),
      finishedGraceMs: (runId) => runs.finishedGraceMs(runId),
    },
    dryRun,
    logger,
  );
  const durationMs = Math.round(performance.now() - started);
  const report: ReconcileReport = {
    ...noDecisions(),
    quarantined: [],
    newer: [...newer],
    ...swept,
    unreadable: scan.unreadable.length,
    otherHosts: 0,
    expired: 0,
    strayCgroups: [],
    dryRun,
    durationMs,
    phases: { sweep: durationMs },
  };
  logger.info({ ...report, type: 'reconcile' }, 'live reconciliation');
  return report;
}

/** What live reconciliation asks about runs, answered from the live ids and `get`. */
export function runsView(
  liveRunIds: readonly string[],
  get: (runId: string) => RunInfo | undefined,
): { isLive(runId: string): boolean; finishedGraceMs(runId: string): number | undefined } {
  const live = new Set(liveRunIds);
  return {
    isLive: (runId) => live.has(runId),
    finishedGraceMs: (runId) => {
      const info = get(runId);
      return info?.state === 'done' ? info.killGraceMs : undefined;
    },
  };
}
