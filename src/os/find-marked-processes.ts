// Finds every live process whose environment carries a runwarden variable, whatever its
// value: used by the escapee sweep and by the test suite's leak check.
import { identityFromStat, isDeadState, type ProcessIdentity } from './process-identity.js';
import { processTable } from './process-table.js';

/** A live process carrying the variable. */
export interface MarkedProcess {
  readonly identity: ProcessIdentity;
  readonly comm: string;
  /** The variable's value, e.g. the run id. */
  readonly value: string;
}

/** Scans /proc once. `unreadable` lists pids whose environment could not be read. */
export function findMarkedProcesses(key: string): { found: MarkedProcess[]; unreadable: number[] } {
  const found: MarkedProcess[] = [];
  const unreadable: number[] = [];
  const table = processTable();
  const stats = table.list().filter((stat) => stat.pid !== process.pid && !isDeadState(stat.state));
  const values = table.environValues(
    stats.map((stat) => stat.pid),
    key,
  );
  for (const stat of stats) {
    const value = values.get(stat.pid);
    if (value === 'unreadable') unreadable.push(stat.pid);
    else if (typeof value === 'object') {
      found.push({ identity: identityFromStat(stat), comm: stat.comm, value: value.value });
    }
  }
  return { found, unreadable };
}
