// Enabling the controllers behind kernel limits (`pids`, `memory`) for a cgroup's children.
// Best effort: a controller this cgroup was not given (absent from its cgroup.controllers,
// e.g. bound to a cgroup v1 hierarchy on a hybrid system) is reported unavailable; one the
// kernel refuses to enable is reported with the kernel's reason, never dropped silently.
import { CgroupError } from '../../errors.js';
import { parseControllerList, readCgroupFile, writeCgroupFile } from './cgroup-files.js';

/** The controllers runwarden's limits use: `pids.max` and `memory.max`. */
export type LimitController = 'pids' | 'memory';
const LIMIT_CONTROLLERS: readonly LimitController[] = ['pids', 'memory'];

/** What enabling found, per controller. */
export interface ControllerReport {
  /** Enabled for the children: their `pids.max` / `memory.max` exist. */
  readonly enabled: readonly LimitController[];
  /** Not given to this cgroup by its parent: no kernel limit of this kind below it. */
  readonly unavailable: readonly LimitController[];
  /** Given, but the kernel refused to enable it (its error code and message). */
  readonly failed: ReadonlyArray<{ controller: LimitController; code: string; message: string }>;
}

/**
 * Enables `pids` and `memory` in `dir`'s cgroup.subtree_control where its
 * cgroup.controllers lists them. One write per controller, so one refusal (EBUSY: `dir`
 * holds processes itself, v2's no-internal-processes rule) does not hide the other.
 */
export function enableLimitControllers(dir: string): ControllerReport {
  const offered = parseControllerList(readCgroupFile(dir, 'cgroup.controllers'));
  const already = parseControllerList(readCgroupFile(dir, 'cgroup.subtree_control'));
  const enabled: LimitController[] = [];
  const unavailable: LimitController[] = [];
  const failed: Array<{ controller: LimitController; code: string; message: string }> = [];
  for (const controller of LIMIT_CONTROLLERS) {
    if (already.includes(controller)) {
      enabled.push(controller);
      continue;
    }
    if (!offered.includes(controller)) {
      unavailable.push(controller);
      continue;
    }
    try {
      writeCgroupFile(dir, 'cgroup.subtree_control', `+${controller}`);
      enabled.push(controller);
    } catch (error) {
      if (!(error instanceof CgroupError) || error.code === 'E_CGROUP_NOT_FOUND') throw error;
      failed.push({ controller, code: error.code, message: error.message });
    }
  }
  return { enabled, unavailable, failed };
}
