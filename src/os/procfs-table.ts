// The Linux process table: /proc, read through proc-fs.ts.
import {
  listPids,
  readBootId,
  readEnvironValue,
  readProcStat,
  readUptimeSeconds,
  type EnvironValue,
  type ProcStat,
} from './proc-fs.js';
import type { ProcessTable } from './process-table.js';

// Start times are in USER_HZ ticks, 100 per second on every Linux architecture we run on.
const TICKS_PER_SECOND = 100;
// A process's environment is remembered once it has run this long: a new process may be
// between fork and exec, still showing its parent's environment; one that has run for
// seconds has long exec'd. (A later exec that adds a marker to an unmarked process is not
// something a run's processes do: they inherit it at fork.)
const SETTLED_TICKS = 2 * TICKS_PER_SECOND;

interface Remembered {
  readonly startTicks: number;
  readonly key: string;
  readonly value: EnvironValue;
}

export function createProcfsTable(): ProcessTable {
  let bootId: string | undefined;
  // Start ticks of the last listing, and environments of settled processes, by pid: a scan
  // then reads one file per process it has seen before instead of two.
  let listed = new Map<number, number>();
  let settledBefore = 0;
  let remembered = new Map<number, Remembered>();
  return {
    kind: 'procfs',
    bootId: () => (bootId ??= readBootId()),
    list: () => {
      const stats: ProcStat[] = [];
      settledBefore = readUptimeSeconds() * TICKS_PER_SECOND - SETTLED_TICKS;
      listed = new Map();
      for (const pid of listPids()) {
        const stat = readProcStat(pid);
        if (stat === undefined) continue;
        stats.push(stat);
        listed.set(pid, stat.startTicks);
      }
      return stats;
    },
    stat: (pid) => readProcStat(pid),
    environValues: (pids, key) => {
      const values = new Map<number, EnvironValue>();
      const keep = new Map<number, Remembered>();
      for (const pid of pids) {
        const startTicks = listed.get(pid);
        const known = remembered.get(pid);
        const value =
          known !== undefined && known.startTicks === startTicks && known.key === key
            ? known.value
            : readEnvironValue(pid, key);
        values.set(pid, value);
        const settled = startTicks !== undefined && startTicks < settledBefore;
        if (settled && (value === 'unset' || typeof value === 'object')) {
          keep.set(pid, { startTicks, key, value });
        }
      }
      remembered = keep;
      return values;
    },
  };
}
