// Ending every process of a cgroup at once. `cgroup.kill` (Linux 5.14+) SIGKILLs every
// member and every member of the cgroups below, escapees included, and new forks cannot
// outrun it. Without it: freeze, SIGKILL each member, thaw (see killFrozen for why a pid read
// from a frozen cgroup is a verified identity). Then waitCgroupEmpty gives the proof.
import { CgroupError } from '../../errors.js';
import { hasCgroupFile, writeCgroupFile } from './cgroup-files.js';
import { cgroupPathOfDir, isWithin } from './mount-info.js';
import { mountOfDir, readCgroupPathOf } from './own-cgroup.js';
import { listCgroupPids, waitCgroupEvents, type WaitOptions } from './wait-cgroup.js';

export interface KillOptions {
  /** `'auto'` (default): cgroup.kill where it exists; `'freeze'`: always freeze and kill. */
  readonly method?: 'auto' | 'freeze';
  /** For the freeze fallback: how long to wait for `frozen 1`. Default 10 s. */
  readonly freezeTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** What killCgroup did. */
export interface KillResult {
  /** How: `cgroup.kill`, `freeze` (freeze, SIGKILL each, thaw), or `gone` (no such cgroup). */
  readonly method: 'cgroup.kill' | 'freeze' | 'gone';
  /** The fallback: the pids SIGKILLed. Empty for cgroup.kill (the kernel does not say). */
  readonly signalled: readonly number[];
}

/**
 * SIGKILLs every process in the cgroup `dir` and below it. Resolves once the signals are
 * sent, not when the processes are gone: follow with waitCgroupEmpty. A cgroup that no
 * longer exists holds nothing (`method: 'gone'`).
 */
export async function killCgroup(dir: string, options: KillOptions = {}): Promise<KillResult> {
  if (!hasCgroupFile(dir, 'cgroup.procs')) return { method: 'gone', signalled: [] };
  if ((options.method ?? 'auto') === 'auto' && hasCgroupFile(dir, 'cgroup.kill')) {
    try {
      writeCgroupFile(dir, 'cgroup.kill', '1');
      return { method: 'cgroup.kill', signalled: [] };
    } catch (error) {
      if (error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND') {
        return { method: 'gone', signalled: [] };
      }
      throw error;
    }
  }
  return { method: 'freeze', signalled: await killFrozen(dir, options) };
}

/**
 * The fallback. A frozen cgroup's members cannot run: they cannot fork, exec, exit by
 * themselves or leave, so the pids cgroup.procs lists (the kernel's own list of members)
 * stay theirs until something else kills them. Each pid's membership is read again from
 * /proc/<pid>/cgroup right before its signal, as every signal of runwarden re-checks its
 * target: a pid that now names a process elsewhere is skipped. Thawing after the signals
 * lets the killed members finish dying; a member cannot act before its SIGKILL lands.
 */
async function killFrozen(dir: string, options: KillOptions): Promise<number[]> {
  const mount = mountOfDir(dir);
  const path = cgroupPathOfDir(mount, dir);
  if (path === null) throw new CgroupError('E_CGROUP_NOT_FOUND', `${dir} is not a cgroup`, dir);
  writeCgroupFile(
    dir,
    'cgroup.freeze',
    '1',
    'no cgroup.freeze (Linux < 5.2, or the root cgroup): this cgroup cannot be ended at once',
  );
  const signalled: number[] = [];
  const refused: number[] = [];
  try {
    const waitOptions: WaitOptions = {
      timeoutMs: options.freezeTimeoutMs ?? 10_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    await waitCgroupEvents(
      dir,
      (events) => events.frozen || !events.populated,
      'frozen',
      waitOptions,
    );
    for (const pid of listCgroupPids(dir)) {
      const now = readCgroupPathOf(pid);
      if (now === null || !isWithin(path, now)) continue;
      try {
        process.kill(pid, 'SIGKILL');
        signalled.push(pid);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ESRCH') continue;
        if (code === 'EPERM') refused.push(pid);
        else throw error;
      }
    }
  } finally {
    thaw(dir);
  }
  if (refused.length > 0) {
    throw new CgroupError(
      'E_CGROUP_ACCESS',
      `SIGKILL refused (EPERM) for ${refused.join(', ')} in ${dir}: they belong to another user`,
      dir,
      { pids: refused },
    );
  }
  return signalled;
}

/** Thaws `dir`; a cgroup removed meanwhile needs no thaw. */
function thaw(dir: string): void {
  try {
    writeCgroupFile(dir, 'cgroup.freeze', '0');
  } catch (error) {
    if (!(error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND')) throw error;
  }
}
