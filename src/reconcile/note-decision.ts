// How boot notes what each adopted record became, in its report.
import type { AdoptionDecision } from '../machines/decide-orphan.js';
import type { MarkedProcess } from '../os/find-marked-processes.js';
import type { ProcessIdentity } from '../os/process-identity.js';
import type { ReportDecisions } from './reconcile-report.js';

/** What the run machine made of an adopted record, once settled. */
export interface AdoptionOutcome {
  readonly decision: AdoptionDecision;
  /** It waits in `backoff` to start again (its policy restarts it). */
  readonly restarting: boolean;
}

/** Notes the machine's decision about one record in the report. */
export function noteDecision(
  report: ReportDecisions,
  runId: string,
  outcome: AdoptionOutcome,
  identity: ProcessIdentity | null,
): void {
  const { decision } = outcome;
  if (decision === 'kill') report.killed.push(runId);
  else if (decision === 'reattach') report.reattached.push(runId);
  else if (decision === 'lost') report.lost.push(runId);
  else if (decision === 'uncertain')
    report.uncertain.push({ runId, pid: identity?.pid ?? null, reason: 'identity unreadable' });
  if (outcome.restarting) report.restarting.push(runId);
}

/** A run's processes all descend from its root, which therefore started first. */
export function earliest(processes: readonly MarkedProcess[]): ProcessIdentity | null {
  let first: MarkedProcess | undefined;
  for (const candidate of processes) {
    if (first === undefined || candidate.identity.startTicks < first.identity.startTicks)
      first = candidate;
  }
  return first?.identity ?? null;
}
