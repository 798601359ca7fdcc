// The process table runwarden reads identities, trees and markers from: /proc on Linux,
// `ps` elsewhere (macOS, best effort). Chosen once per process; everything in src/os
// above this line is the same on every platform.
import { UnsupportedPlatformError } from '../errors.js';
import type { EnvironValue, ProcStat } from './proc-fs.js';
import { hasProcFs } from './proc-fs.js';
import { createProcfsTable } from './procfs-table.js';
import { createPsTable } from './ps-table.js';

/** Read-only access to the system's processes. */
export interface ProcessTable {
  /** `procfs` (exact: start time in clock ticks) or `ps` (start time to the second). */
  readonly kind: 'procfs' | 'ps';
  /** Changes at every boot; scopes every pid and start time. */
  bootId(): string;
  /** Every visible process (zombies included, with state `Z`). */
  list(): ProcStat[];
  /** One process; `undefined` when it does not exist. */
  stat(pid: number): ProcStat | undefined;
  /** Variable `key` of each process's environment, read in one pass. */
  environValues(pids: readonly number[], key: string): Map<number, EnvironValue>;
}

let selected: ProcessTable | undefined;

/**
 * The table for this platform. `RUNWARDEN_PROCESS_TABLE=ps` forces the portable `ps`
 * table on Linux (used to test it); any other system without /proc is unsupported.
 */
export function processTable(): ProcessTable {
  selected ??= selectTable(process.env.RUNWARDEN_PROCESS_TABLE);
  return selected;
}

function selectTable(forced: string | undefined): ProcessTable {
  if (forced === 'ps') return createPsTable();
  if (process.platform === 'linux' && hasProcFs()) return createProcfsTable();
  if (process.platform === 'darwin') return createPsTable();
  throw new UnsupportedPlatformError(process.platform);
}
