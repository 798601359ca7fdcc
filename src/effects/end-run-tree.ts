// The termination step of a run: its whole tree (recorded root, group, session, marker,
// cgroup) ended and verified, and the facts the run machine's TREE_DEAD event carries. A
// generation's cgroup, verified empty, is removed.
import type { RunContext } from '../machines/run-context.js';
import { RUN_MARKER } from '../os/run-marker.js';
import { terminateRunTree, type TerminationReport } from '../os/terminate-run-tree.js';
import type { RunErrorInfo } from '../types.js';
import { confirmCgroupEmpty } from '../os/cgroup/end-run-cgroup.js';
import { removeCgroup } from '../os/cgroup/remove-cgroup.js';
import type { Logger } from '../support/logger.js';

// How long the kernel gets to empty a cgroup whose members no scan could see any more.
const KERNEL_WAIT_MS = 3000;

/** What TREE_DEAD reports. */
export interface TreeDeadFacts {
  readonly forced: boolean;
  readonly survivors: readonly number[];
  readonly error: RunErrorInfo | null;
}

/** Terminates the run's tree; `signal` aborts before the next signal (a `leave`). */
export async function endRunTree(
  runId: string,
  context: RunContext,
  signal: AbortSignal,
  logger: Logger,
): Promise<{ report: TerminationReport; facts: TreeDeadFacts }> {
  const report = await terminateRunTree({
    query: { marker: `${RUN_MARKER}=${runId}`, root: context.identity, cgroup: context.cgroup },
    graceMs: context.descriptor.killGraceMs,
    // Interactive shells on a PTY ignore SIGTERM but not SIGHUP.
    softSignals: context.descriptor.mode === 'pty' ? ['SIGHUP', 'SIGTERM'] : ['SIGTERM'],
    signal,
  });
  const survivors = report.survivors.map((member) => member.identity.pid);
  let cgroupError = report.cgroupError;
  if (context.cgroup !== null && survivors.length === 0 && !signal.aborted) {
    // The kernel's word: nobody is left in the cgroup (or who is, after one more kill).
    try {
      const left = await confirmCgroupEmpty(context.cgroup, KERNEL_WAIT_MS, signal);
      survivors.push(...left);
      if (left.length === 0) removeEmptyCgroup(context.cgroup, logger);
    } catch (error) {
      // Aborted (a `leave`): no verdict is wanted. Else the members are uncertain.
      if (!isAborted(signal)) cgroupError ??= (error as Error).message;
    }
  }
  return {
    report,
    facts: { forced: report.forced, survivors, error: errorOf(report, cgroupError) },
  };
}

// The first refused signal, else a cgroup that could not be read or ended (its members are
// uncertain: the generation is not proven dead), else none.
function errorOf(report: TerminationReport, cgroupError: string | null): RunErrorInfo | null {
  const failure = report.failures[0];
  if (failure !== undefined)
    return {
      code: failure.code,
      message: `signal ${failure.signal} to pid ${failure.pid}: ${failure.message}`,
    };
  return cgroupError === null ? null : { code: 'E_CGROUP', message: cgroupError };
}

// Its processes are gone (the kernel said `populated 0`); one that cannot be removed now is
// swept by the next boot.
function removeEmptyCgroup(cgroup: string, logger: Logger): void {
  try {
    removeCgroup(cgroup);
  } catch (error) {
    logger.warn({ err: error, cgroup }, 'could not remove the cgroup of a finished generation');
  }
}

// Read through a call: the signal may have been aborted while the wait went on.
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}
