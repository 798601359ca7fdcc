// The Linux process table: /proc, read through proc-fs.ts.
import {
  listPids,
  readBootId,
  readEnvironValue,
  readProcStat,
  type EnvironValue,
  type ProcStat,
} from './proc-fs.js';
import type { ProcessTable } from './process-table.js';

export function createProcfsTable(): ProcessTable {
  let bootId: string | undefined;
  return {
    kind: 'procfs',
    bootId: () => (bootId ??= readBootId()),
    list: () => {
      const stats: ProcStat[] = [];
      for (const pid of listPids()) {
        const stat = readProcStat(pid);
        if (stat !== undefined) stats.push(stat);
      }
      return stats;
    },
    stat: (pid) => readProcStat(pid),
    environValues: (pids, key) => {
      const values = new Map<number, EnvironValue>();
      for (const pid of pids) values.set(pid, readEnvironValue(pid, key));
      return values;
    },
  };
}
