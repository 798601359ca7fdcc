// Waiting on a cgroup's cgroup.events (`populated`, `frozen`). The kernel notifies a change
// of that file through inotify, so fs.watch wakes us at once; a slow poll covers a watch that
// cannot be set up or misses an event. `populated 0` is the kernel's word that no process is
// left in the cgroup or below it: the proof that a run's whole tree is dead.
import { watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { CgroupError } from '../../errors.js';
import {
  childCgroups,
  parsePidList,
  readCgroupEvents,
  readCgroupFile,
  type CgroupEvents,
} from './cgroup-files.js';

export interface WaitOptions {
  /** Give up after this long with `E_CGROUP_TIMEOUT`, naming the pids still there. Default 10 s. */
  readonly timeoutMs?: number;
  /** Stops waiting; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** The fallback poll's period. Default 250 ms (the watch is the fast path). */
  readonly pollMs?: number;
}

/**
 * Every pid in the cgroup `dir` and the cgroups below it, ascending. cgroup.procs lists a
 * cgroup's own members only, so the tree is walked. Empty once `dir` is gone.
 */
export function listCgroupPids(dir: string): number[] {
  const pids = new Set<number>();
  const walk = (at: string): void => {
    let text: string;
    try {
      text = readCgroupFile(at, 'cgroup.procs');
    } catch (error) {
      // Removed meanwhile: nothing is in a cgroup that no longer exists.
      if (error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND') return;
      throw error;
    }
    for (const pid of parsePidList(text)) pids.add(pid);
    let children: string[];
    try {
      children = childCgroups(at);
    } catch (error) {
      if (error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND') return;
      throw error;
    }
    for (const child of children) walk(join(at, child));
  };
  walk(dir);
  return [...pids].sort((a, b) => a - b);
}

/** cgroup.events of `dir`, or null when the cgroup is gone. */
export function eventsOrGone(dir: string): CgroupEvents | null {
  try {
    return readCgroupEvents(dir);
  } catch (error) {
    if (error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND') return null;
    throw error;
  }
}

/**
 * Resolves once `done(events)` holds for the cgroup `dir` (a gone cgroup reads as
 * unpopulated and unfrozen). Rejects on timeout (`E_CGROUP_TIMEOUT`, naming `what` and the
 * pids still there), on abort, or when cgroup.events cannot be read.
 */
export function waitCgroupEvents(
  dir: string,
  done: (events: CgroupEvents) => boolean,
  what: string,
  options: WaitOptions = {},
): Promise<void> {
  const { timeoutMs = 10_000, signal, pollMs = 250 } = options;
  return new Promise<void>((resolve, reject) => {
    let watcher: FSWatcher | null = null;
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      watcher?.close();
      clearInterval(poll);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const check = (): void => {
      if (settled) return;
      try {
        const events = eventsOrGone(dir);
        if (done(events ?? { populated: false, frozen: false })) finish();
      } catch (error) {
        finish(error as Error);
      }
    };
    const onAbort = (): void => {
      // The signal's reason, as events.once and fetch reject (an AbortError by default).
      const reason: unknown = signal?.reason;
      finish(
        reason instanceof Error ? reason : new Error('the wait was aborted', { cause: reason }),
      );
    };
    const onTimeout = (): void => {
      let pids: number[] = [];
      try {
        pids = listCgroupPids(dir);
      } catch {
        // The timeout is the error to report; the listing only illustrates it.
      }
      finish(
        new CgroupError(
          'E_CGROUP_TIMEOUT',
          `${dir} was not ${what} within ${timeoutMs} ms; still in it: ${pids.join(', ') || 'none listed'}`,
          dir,
          { pids },
        ),
      );
    };
    const poll = setInterval(check, pollMs);
    const timer = setTimeout(onTimeout, timeoutMs);
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      watcher = watch(join(dir, 'cgroup.events'), { persistent: false }, check);
      // A watch that fails later (the cgroup removed) leaves the poll to notice.
      watcher.on('error', () => {
        watcher?.close();
      });
    } catch {
      // No watch (the cgroup is already gone, or inotify is exhausted): the poll decides.
    }
    // Checked after the watch is set up, so a change between the two is never missed.
    check();
  });
}

/** Resolves when the cgroup `dir` holds no process (cgroup.events: `populated 0`), or is gone. */
export function waitCgroupEmpty(dir: string, options: WaitOptions = {}): Promise<void> {
  return waitCgroupEvents(dir, (events) => !events.populated, 'empty', options);
}
