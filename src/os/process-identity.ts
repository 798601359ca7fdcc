// Who a process is. A pid alone is never trusted: boot id + pid + start ticks name one
// process for the lifetime of a machine, and are re-checked right before every signal.
import { thisHostname } from './this-host.js';
import type { ProcStat } from './proc-fs.js';
import { processTable } from './process-table.js';

import type { ProcessIdentity } from '../types.js';
export type { ProcessIdentity } from '../types.js';

/**
 * Result of re-checking an identity:
 * - `alive`: the same process still runs (not a zombie);
 * - `exited`: it is gone (or a zombie, or from an earlier boot);
 * - `replaced`: the pid now belongs to another process (pid reuse);
 * - `uncertain`: it cannot be told (another host, unreadable): report, never signal.
 */
export type IdentityCheck = 'alive' | 'exited' | 'replaced' | 'uncertain';

/** The current boot id (read once per process). */
export function currentBootId(): string {
  return processTable().bootId();
}

/** Builds an identity from a stat record read on this machine. */
export function identityFromStat(stat: ProcStat): ProcessIdentity {
  return {
    hostname: thisHostname(),
    bootId: currentBootId(),
    pid: stat.pid,
    startTicks: stat.startTicks,
    pgid: stat.pgid,
    sid: stat.sid,
  };
}

/** Reads the identity of a live process; `undefined` if it does not exist or already exited. */
export function readIdentity(pid: number): ProcessIdentity | undefined {
  const stat = processTable().stat(pid);
  if (stat === undefined || isDeadState(stat.state)) return undefined;
  return identityFromStat(stat);
}

/** Re-checks an identity against the live process table. */
export function checkIdentity(identity: ProcessIdentity): IdentityCheck {
  return inspectIdentity(identity).check;
}

/** The re-check and, for a live process, whether it is stopped. */
export function inspectIdentity(identity: ProcessIdentity): {
  check: IdentityCheck;
  /** Stopped (SIGSTOP, SIGTSTP, traced): it acts on nothing but SIGKILL until continued. */
  stopped: boolean;
} {
  const gone = (check: IdentityCheck) => ({ check, stopped: false });
  if (identity.hostname !== thisHostname()) return gone('uncertain');
  let stat: ProcStat | undefined;
  try {
    if (identity.bootId !== currentBootId()) return gone('exited');
    stat = processTable().stat(identity.pid);
  } catch {
    return gone('uncertain');
  }
  if (stat === undefined) return gone('exited');
  if (stat.startTicks !== identity.startTicks) return gone('replaced');
  if (isDeadState(stat.state)) return gone('exited');
  return { check: 'alive', stopped: stat.state === 'T' || stat.state === 't' };
}

/**
 * True when no process has `pid` at all (kill with signal 0 says ESRCH: nothing is
 * delivered). A cheap first test before reading /proc: a pid that exists still needs
 * `checkIdentity` to tell its process (or a zombie, or a reuse) apart.
 */
export function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Zombies (Z) and dying tasks (X) count as dead: `kill(pid, 0)` would wrongly say alive. */
export function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X';
}
