// Kernel limits on a run leaf: `pids.max` (process count) and `memory.max` (bytes). They
// exist only where the area enabled the controller (openArea's report); elsewhere the
// setter throws `E_CGROUP_UNSUPPORTED` and the caller enforces the limit by sampling.
import { InvalidOptionError } from '../../errors.js';
import { hasCgroupFile, writeCgroupFile } from './cgroup-files.js';

/** Which kernel limits a leaf offers right now. */
export interface LeafLimits {
  readonly pids: boolean;
  readonly memory: boolean;
}

/** Which of `pids.max` and `memory.max` the leaf `leafDir` has. */
export function availableLimits(leafDir: string): LeafLimits {
  return { pids: hasCgroupFile(leafDir, 'pids.max'), memory: hasCgroupFile(leafDir, 'memory.max') };
}

/** The value to write: a positive integer, or `'max'` (no limit). */
function limitValue(option: string, value: number | 'max'): string {
  if (value === 'max') return 'max';
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(option, value, "a positive integer or 'max'");
  }
  return String(value);
}

const unsupported = (controller: string) =>
  `the ${controller} controller is not enabled for this cgroup's area (its parent's cgroup.subtree_control lacks it; on a hybrid system it may be bound to cgroup v1): enforce the limit by sampling`;

/** Sets `pids.max` of `leafDir`: at most `max` processes (and threads) in it. */
export function setPidsMax(leafDir: string, max: number | 'max'): void {
  writeCgroupFile(leafDir, 'pids.max', limitValue('maxProcesses', max), unsupported('pids'));
}

/** Sets `memory.max` of `leafDir`: past `bytes`, the kernel reclaims, then OOM-kills inside. */
export function setMemoryMax(leafDir: string, bytes: number | 'max'): void {
  writeCgroupFile(
    leafDir,
    'memory.max',
    limitValue('maxMemoryBytes', bytes),
    unsupported('memory'),
  );
}
