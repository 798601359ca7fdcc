// Which containment a supervisor uses, decided once when it opens: a cgroup per run
// generation where this process may create and enter cgroups, else the marker (process
// groups, sessions, parent links and the RUNWARDEN_RUN_ID variable). `auto` takes the
// cgroup where it can; `cgroup` fails with the probe's reason where it cannot.
import { createHash } from 'node:crypto';
import { CgroupError } from '../../errors.js';
import { openArea } from './cgroup-area.js';
import type { ControllerReport } from './cgroup-controllers.js';
import { probeCgroups, type KillMethod } from './cgroup-probe.js';
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
  const probe = probeCgroups();
  if (!probe.available) {
    if (choice === 'cgroup')
      throw new CgroupError(
        'E_CGROUP_UNAVAILABLE',
        `containment 'cgroup' is unavailable here: ${probe.reason}`,
        probe.own?.dir ?? '',
      );
    return { mode: 'marker', reason: `no cgroup containment: ${probe.reason}` };
  }
  const area = openArea(probe.own.dir, areaName);
  const how = probe.kill === 'cgroup.kill' ? 'cgroup.kill' : 'freeze and SIGKILL (no cgroup.kill)';
  return {
    mode: 'cgroup',
    reason: `a cgroup per run below ${area.dir}, ended by ${how}${probe.note === null ? '' : `; ${probe.note}`}`,
    area: area.dir,
    home: probe.own,
    kill: probe.kill,
    controllers: area.controllers,
  };
}
