// Small /proc readers the tests use to tell processes apart (every sleep's comm is `sleep`).
import { readFileSync } from 'node:fs';
import { listPids, readProcStat, type ProcStat } from '../../src/os/proc-fs.js';

/** The command line of `pid`, arguments joined by spaces; `undefined` once it is gone. */
export function cmdlineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** Every process whose parent is `pid`, as read from the process table right now. */
export function childrenOf(pid: number): ProcStat[] {
  const children: ProcStat[] = [];
  for (const candidate of listPids()) {
    const stat = readProcStat(candidate);
    if (stat?.ppid === pid) children.push(stat);
  }
  return children;
}
