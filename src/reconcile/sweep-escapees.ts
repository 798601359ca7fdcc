// The escapee sweep: marker-carrying processes of runs that already finished are ended;
// markers of runs this supervisor does not know are only reported (another store's runs).
import { RUN_MARKER } from '../os/run-marker.js';
import type { MarkedProcess } from '../os/find-marked-processes.js';
import { terminateRunTree } from '../os/terminate-run-tree.js';
import type { Logger } from '../support/logger.js';

/** What the sweep needs to know about each run id it meets. */
export interface SweepKnowledge {
  /** Live runs are their supervisor's business, never the sweep's. */
  isLive(runId: string): boolean;
  /** Runs recorded by a newer runwarden: never judged here, not even reported as unknown. */
  isNewer?(runId: string): boolean;
  /** The kill grace of a finished run, or `undefined` when the run is unknown. */
  finishedGraceMs(runId: string): number | undefined;
}

/** Pids found, per outcome. */
export interface SweepResult {
  readonly escapeesKilled: Array<{ runId: string; pid: number }>;
  readonly unknownMarked: Array<{ runId: string; pid: number }>;
}

/** Ends escapees of finished runs (unless `dryRun`); `marked` comes from one /proc scan. */
export async function sweepEscapees(
  marked: ReadonlyMap<string, readonly MarkedProcess[]>,
  knowledge: SweepKnowledge,
  dryRun: boolean,
  logger: Logger,
): Promise<SweepResult> {
  const result: SweepResult = { escapeesKilled: [], unknownMarked: [] };
  const sweeps: Array<Promise<void>> = [];
  for (const [runId, processes] of marked) {
    if (knowledge.isLive(runId) || knowledge.isNewer?.(runId) === true) continue;
    const pids = processes.map((p) => ({ runId, pid: p.identity.pid }));
    const graceMs = knowledge.finishedGraceMs(runId);
    if (graceMs === undefined) {
      result.unknownMarked.push(...pids);
      continue;
    }
    result.escapeesKilled.push(...pids);
    if (!dryRun) sweeps.push(endEscapees(runId, graceMs, logger));
  }
  await Promise.all(sweeps);
  return result;
}

async function endEscapees(runId: string, graceMs: number, logger: Logger): Promise<void> {
  const result = await terminateRunTree({
    query: { marker: `${RUN_MARKER}=${runId}`, root: null },
    graceMs,
    softSignals: ['SIGHUP', 'SIGTERM'],
  });
  logger.warn(
    { runId, pids: result.members.map((m) => m.identity.pid), survivors: result.survivors.length },
    'escapees of a finished run terminated',
  );
}

/** Groups marked processes by the marker's value (the run id). */
export function groupByRun(processes: readonly MarkedProcess[]): Map<string, MarkedProcess[]> {
  const byRun = new Map<string, MarkedProcess[]>();
  for (const process of processes) {
    const list = byRun.get(process.value);
    if (list === undefined) byRun.set(process.value, [process]);
    else list.push(process);
  }
  return byRun;
}
