// Which containment a supervisor uses, decided once when it opens: a cgroup per run
// generation where this process may create and enter cgroups, else the marker (process
// groups, sessions, parent links and the RUNWARDEN_RUN_ID variable). `auto` takes the
// cgroup where it can; `cgroup` fails with the probe's reason where it cannot.
import { createHash } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';
import { CgroupError } from '../../errors.js';
import { openArea } from './cgroup-area.js';
import type { ControllerReport } from './cgroup-controllers.js';
import { probeCgroups, type CgroupProbe, type KillMethod } from './cgroup-probe.js';
import type { CgroupLocation } from './mount-info.js';

/** The `containment` a supervisor is asked for. */
export type ContainmentChoice = 'auto' | 'cgroup' | 'marker';

/** The containment a supervisor uses, and why. */
export type Containment =
  | {
      readonly mode: 'cgroup';
      readonly reason: string;
      /** The supervisor's area: one leaf per run generation below it. */
      readonly area: string;
      /** The cgroup this process returns to after placing a child. */
      readonly home: CgroupLocation;
      readonly kill: KillMethod;
      readonly controllers: ControllerReport;
    }
  | { readonly mode: 'marker'; readonly reason: string };

/**
 * The area's name for supervisor `name` of the store `storeKey`: two supervisors of one name
 * with different stores (different homes) are different owners, so they get different areas.
 */
export function areaNameFor(name: string, storeKey: string): string {
  const hash = createHash('sha256').update(`${storeKey}|${name}`).digest('hex').slice(0, 12);
  return `${name.slice(0, 48)}.${hash}`;
}

/** Decides, probing for real; `cgroup` where it is unavailable throws `E_CGROUP_UNAVAILABLE`. */
export function chooseContainment(choice: ContainmentChoice, areaName: string): Containment {
  if (choice === 'marker') return { mode: 'marker', reason: "containment 'marker' was asked for" };
  const unavailable = whyUnavailable();
  const probe = unavailable === null ? probeSafely() : null;
  if (probe === null || !probe.available) {
    const reason = unavailable ?? (probe?.available === false ? probe.reason : 'no probe');
    if (choice === 'cgroup')
      throw new CgroupError(
        'E_CGROUP_UNAVAILABLE',
        `containment 'cgroup' is unavailable here: ${reason}`,
        probe?.available === false ? (probe.own?.dir ?? '') : '',
      );
    return { mode: 'marker', reason: `no cgroup containment: ${reason}` };
  }
  const area = openArea(probe.own.dir, areaName);
  const how =
    probe.kill === 'cgroup.kill' ? 'cgroup.kill' : 'SIGKILL member by member (no cgroup.kill)';
  return {
    mode: 'cgroup',
    reason: `a cgroup per run below ${area.dir}, ended by ${how}; durable runs: the marker${probe.note === null ? '' : `; ${probe.note}`}`,
    area: area.dir,
    home: probe.own,
    kill: probe.kill,
    controllers: area.controllers,
  };
}

// What rules cgroups out before any probe: another system, or a worker thread (moving the
// process into a run's cgroup to fork would move every thread, and another thread's spawn at
// that moment would be born in the wrong run's cgroup).
function whyUnavailable(): string | null {
  if (process.platform !== 'linux') return `cgroups are Linux's (this is ${process.platform})`;
  if (!isMainThread) return 'a supervisor in a worker thread cannot step into a cgroup alone';
  return null;
}

// A probe that throws (an unreadable /proc, say) means: unavailable, and why.
function probeSafely(): CgroupProbe {
  try {
    return probeCgroups();
  } catch (error) {
    return {
      available: false,
      code: 'probe-failed',
      reason: `the cgroup probe failed: ${(error as Error).message}`,
      own: null,
    };
  }
}
