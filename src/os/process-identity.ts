// Who a process is. A pid alone is never trusted: boot id + pid + start ticks name one
// process for the lifetime of a machine, and are re-checked right before every signal.
import { thisHostname } from './this-host.js';
import type { ProcStat } from './proc-fs.js';
import { processTable } from './process-table.js';

/** The durable identity of one process. */
export interface ProcessIdentity {
  readonly hostname: string;
  readonly bootId: string;
  readonly pid: number;
  /** Start time: clock ticks since boot (field 22 of /proc/<pid>/stat), or, where only `ps`
   * is available, seconds since the epoch. Compared raw, never converted. */
  readonly startTicks: number;
  readonly pgid: number;
  readonly sid: number;
}

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

/** The re-check, and whether the process is stopped (SIGSTOP, SIGTSTP, traced). */
export function inspectIdentity(identity: ProcessIdentity): {
  check: IdentityCheck;
  stopped: boolean;
} {
  if (identity.hostname !== thisHostname()) return { check: 'uncertain', stopped: false };
  let stat: ProcStat | undefined;
  try {
    if (identity.bootId !== currentBootId()) return { check: 'exited', stopped: false };
    stat = processTable().stat(identity.pid);
  } catch {
    return { check: 'uncertain', stopped: false };
  }
  if (stat === undefined) return { check: 'exited', stopped: false };
  if (stat.startTicks !== identity.startTicks) return { check: 'replaced', stopped: false };
  if (isDeadState(stat.state)) return { check: 'exited', stopped: false };
  return { check: 'alive', stopped: stat.state === 'T' || stat.state === 't' };
}

/** Zombies (Z) and dying tasks (X) count as dead: `kill(pid, 0)` would wrongly say alive. */
export function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X';
}
