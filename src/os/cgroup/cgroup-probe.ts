// Can this process contain its runs in cgroups, and if not, why? The probe does what
// containment will do, once, on a throwaway child of its own cgroup: create it, step into it
// and back (as spawnInCgroup does), check how it can be ended, remove it. Whether the uid is
// 0 proves nothing: root in a container may face a read-only cgroupfs, and an unprivileged
// user may own a delegated subtree.
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { CgroupError } from '../../errors.js';
import {
  cgroupErrorFrom,
  DELEGATION_ADVICE,
  hasCgroupFile,
  parseControllerList,
  readCgroupFile,
} from './cgroup-files.js';
import { PROBE_PREFIX } from './cgroup-names.js';
import type { CgroupLocation } from './mount-info.js';
import { findOwnCgroup, LOCATE_FAILURES, type LocateFailure } from './own-cgroup.js';
import { randomHex } from '../random-hex.js';
import { spawnInCgroup } from './spawn-in-cgroup.js';

/** Why containment is unavailable. */
export type CgroupUnavailableCode =
  LocateFailure | 'own-cgroup-not-writable' | 'cannot-move' | 'no-freezer' | 'probe-failed';

/** How a run's cgroup is ended: cgroup.kill, or freeze + SIGKILL each member + thaw. */
export type KillMethod = 'cgroup.kill' | 'freeze';

export type CgroupProbe =
  | {
      readonly available: true;
      /** The process's own cgroup: supervisors open their areas below it. */
      readonly own: CgroupLocation;
      readonly kill: KillMethod;
      /** Something a person should know although containment works (the kill fallback). */
      readonly note: string | null;
      readonly controllers: {
        /** The own cgroup's cgroup.controllers: what could be enabled below it. */
        readonly delegated: readonly string[];
        /** Its cgroup.subtree_control: what an area created below it gets. */
        readonly forAreas: readonly string[];
      };
    }
  | {
      readonly available: false;
      readonly code: CgroupUnavailableCode;
      /** What is wrong and what to do about it, in words. */
      readonly reason: string;
      readonly own: CgroupLocation | null;
    };

export interface ProbeOptions {
  /** Texts to read instead of /proc/self/mountinfo and /proc/self/cgroup (tests). */
  readonly mountinfo?: string;
  readonly procCgroup?: string;
  /** Also step into the probe cgroup and back (default true). */
  readonly tryMove?: boolean;
}

const FREEZE_NOTE =
  'cgroup.kill is missing (Linux < 5.14): a run is ended by freezing its cgroup, SIGKILLing each member (a frozen member cannot fork) and thawing';

const unavailable = (code: CgroupUnavailableCode, reason: string, own: CgroupLocation | null) =>
  ({ available: false, code, reason, own }) as const;

/** Probes once; never throws for a missing capability, it says why instead. */
export function probeCgroups(options: ProbeOptions = {}): CgroupProbe {
  const found = findOwnCgroup({
    ...(options.mountinfo === undefined ? {} : { mountinfo: options.mountinfo }),
    ...(options.procCgroup === undefined ? {} : { procCgroup: options.procCgroup }),
  });
  if (typeof found === 'string') return unavailable(found, LOCATE_FAILURES[found], null);
  const own = found;
  if (!existsSync(join(own.dir, 'cgroup.procs'))) {
    return unavailable(
      'own-cgroup-not-visible',
      `${own.dir} is not a cgroup directory here: ${LOCATE_FAILURES['own-cgroup-not-visible']}`,
      own,
    );
  }
  removeStaleProbes(own.dir);
  const probe = join(own.dir, `${PROBE_PREFIX}${process.pid}.${randomHex(4)}`);
  try {
    mkdirSync(probe);
  } catch (error) {
    return notWritable(error, own);
  }
  let result: CgroupProbe;
  try {
    result = inspectProbe(probe, own, options.tryMove ?? true);
  } finally {
    removeProbe(probe);
  }
  return result;
}

/**
 * Removes the empty probe cgroups of processes that died while probing (a SIGKILL between the
 * probe's mkdir and rmdir). rmdir refuses one in use; nothing here signals.
 */
function removeStaleProbes(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.startsWith(PROBE_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(PROBE_PREFIX.length).split('.')[0]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || existsSync(`/proc/${String(pid)}`)) continue;
    try {
      rmdirSync(join(dir, name));
    } catch {
      // in use, or gone meanwhile: not ours to force
    }
  }
}

/** Removes the probe cgroup; a failure is a CgroupError naming the leftover. */
function removeProbe(probe: string): void {
  try {
    rmdirSync(probe);
  } catch (error) {
    throw cgroupErrorFrom(error, 'remove the probe cgroup', probe);
  }
}

/** The verdict for a probe cgroup that could not be created. */
function notWritable(error: unknown, own: CgroupLocation): CgroupProbe {
  const errno = (error as NodeJS.ErrnoException).code ?? 'E?';
  const uid = process.getuid?.() ?? -1;
  if (errno === 'EROFS') {
    return unavailable(
      'own-cgroup-not-writable',
      `${own.dir} is on a read-only cgroup2 mount (a container without a writable cgroup?): ${DELEGATION_ADVICE}`,
      own,
    );
  }
  if (errno === 'EACCES' || errno === 'EPERM') {
    return unavailable(
      'own-cgroup-not-writable',
      `cannot create a cgroup in ${own.dir} (${errno}) as uid ${uid}: it is not delegated to this user; ${DELEGATION_ADVICE}`,
      own,
    );
  }
  return unavailable(
    'probe-failed',
    `cannot create a cgroup in ${own.dir} (${errno}): ${(error as Error).message}`,
    own,
  );
}

/** Checks the created probe cgroup: how it can be ended, and that a process can enter it. */
function inspectProbe(probe: string, own: CgroupLocation, tryMove: boolean): CgroupProbe {
  const canKill = hasCgroupFile(probe, 'cgroup.kill');
  if (!canKill && !hasCgroupFile(probe, 'cgroup.freeze')) {
    return unavailable(
      'no-freezer',
      'neither cgroup.kill nor cgroup.freeze exists (Linux < 5.2): a cgroup cannot be ended at once; upgrade the kernel',
      own,
    );
  }
  if (tryMove) {
    try {
      spawnInCgroup(probe, () => undefined, { home: own });
    } catch (error) {
      if (!(error instanceof CgroupError)) throw error;
      const code = error.code === 'E_CGROUP_ACCESS' ? 'cannot-move' : 'probe-failed';
      return unavailable(
        code,
        `cannot move this process into ${probe} and back: ${error.message}`,
        own,
      );
    }
  }
  return {
    available: true,
    own,
    kill: canKill ? 'cgroup.kill' : 'freeze',
    note: canKill ? null : FREEZE_NOTE,
    controllers: {
      delegated: parseControllerList(readCgroupFile(own.dir, 'cgroup.controllers')),
      forAreas: parseControllerList(readCgroupFile(own.dir, 'cgroup.subtree_control')),
    },
  };
}
