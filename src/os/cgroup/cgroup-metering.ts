// What a cgroup's processes cost, read from the kernel's own counters. They cover the cgroup
// and everything below it, processes that already exited included (cpu.stat), so a run's
// figures need no walk of its process tree. cpu.stat exists in every non-root cgroup, even
// without the cpu controller; memory.* and pids.* only where those controllers are enabled.
import { parseFlatKeyed, readCgroupFile, readOptionalCgroupFile } from './cgroup-files.js';

/** CPU time used by the cgroup's processes since it was created, in microseconds. */
export interface CgroupCpu {
  readonly usageUsec: number;
  readonly userUsec: number;
  readonly systemUsec: number;
}

/** Peak values the kernel recorded, or null where the controller (or kernel) lacks them. */
export interface CgroupPeak {
  /** memory.peak (Linux 5.19+, memory controller), bytes. */
  readonly memoryBytes: number | null;
  /** pids.peak (Linux 6.1+, pids controller), processes and threads. */
  readonly pids: number | null;
}

/** Reads cpu.stat of `dir`. */
export function readCgroupCpu(dir: string): CgroupCpu {
  const values = parseFlatKeyed(readCgroupFile(dir, 'cpu.stat'));
  return {
    usageUsec: values.get('usage_usec') ?? 0,
    userUsec: values.get('user_usec') ?? 0,
    systemUsec: values.get('system_usec') ?? 0,
  };
}

/** A single-number file (`memory.current`, `pids.peak`); null when the file is absent. */
function readNumber(dir: string, name: string): number | null {
  const text = readOptionalCgroupFile(dir, name);
  if (text === null) return null;
  const value = Number(text.trim());
  return Number.isSafeInteger(value) ? value : null;
}

/** memory.current of `dir` in bytes, or null without the memory controller. */
export function readCgroupMemory(dir: string): number | null {
  return readNumber(dir, 'memory.current');
}

/** memory.peak and pids.peak of `dir`, each null when absent. */
export function readCgroupPeak(dir: string): CgroupPeak {
  return { memoryBytes: readNumber(dir, 'memory.peak'), pids: readNumber(dir, 'pids.peak') };
}
