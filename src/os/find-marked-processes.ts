// Finds every live process whose environment carries a runwarden variable, whatever its
// value: used by the escapee sweep and by the test suite's leak check.
import { listPids, readEnvironValue, readProcStat } from './proc-fs.js';
import { identityFromStat, isDeadState, type ProcessIdentity } from './process-identity.js';

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
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const value = readEnvironValue(pid, key);
    if (value === 'unreadable') {
      unreadable.push(pid);
      continue;
    }
    if (typeof value === 'string') continue; // unset or gone
    const stat = readProcStat(pid);
    if (stat === undefined || isDeadState(stat.state)) continue;
    found.push({ identity: identityFromStat(stat), comm: stat.comm, value: value.value });
  }
  return { found, unreadable };
}
