// Keeps a supervisor's cgroup area to its runs. A boot ends the leaves no run holds (one whose
// processes outlived their record, a generation that crashed while it started) and removes
// the empty ones: a populated stray is ended as a whole, since only this supervisor places
// processes in its area (its name and store have one owner, whose lease the boot holds). A
// shutdown only tidies: it removes empty leaves, and the area once nothing is in it; it
// never signals (a `leave` hands live runs on, and a supervisor whose boot failed holds
// nothing, not even the lease).
import { join } from 'node:path';
import { CgroupError } from '../errors.js';
import { childCgroups, readCgroupEvents } from '../os/cgroup/cgroup-files.js';
import { parseLeafName } from '../os/cgroup/cgroup-names.js';
import type { Containment } from '../os/cgroup/containment.js';
import { assertOutside } from '../os/cgroup/end-run-cgroup.js';
import { killCgroup } from '../os/cgroup/kill-cgroup.js';
import { removeCgroup, sweepArea } from '../os/cgroup/remove-cgroup.js';
import { waitCgroupEmpty } from '../os/cgroup/wait-cgroup.js';
import type { Logger } from '../support/logger.js';

// How long a stray leaf's processes get to disappear after cgroup.kill.
const STRAY_KILL_WAIT_MS = 10_000;

/**
 * Ends and removes the area's leaves whose run is not in `keep` (runs not done, and runs
 * whose records vouch for nothing here), and removes empty ones; returns the strays.
 */
export async function sweepStrayCgroups(
  containment: Containment,
  keep: ReadonlySet<string>,
  logger: Logger,
): Promise<string[]> {
  if (containment.mode !== 'cgroup') return [];
  const { area } = containment;
  const kept = new Set<string>();
  for (const name of cgroupsOf(area)) {
    const leaf = parseLeafName(name);
    if (leaf === null || keep.has(leaf.runId)) kept.add(name);
  }
  const found = sweepArea(area, kept);
  await Promise.all(
    found.populated.map(async (leaf) => {
      try {
        assertOutside(leaf);
        await killCgroup(leaf);
        await waitCgroupEmpty(leaf, { timeoutMs: STRAY_KILL_WAIT_MS });
        removeCgroup(leaf);
      } catch (error) {
        logger.error({ err: error, leaf }, 'could not end a stray cgroup of this supervisor');
      }
    }),
  );
  const stray = [...found.removed, ...found.populated];
  if (stray.length > 0) logger.warn({ leaves: stray }, 'removed stray cgroups of this supervisor');
  return stray;
}

/**
 * Removes the area's empty leaves, and the area once nothing is left in it. Removing an empty
 * cgroup signals nothing; a leaf is never empty between its creation and its process's
 * birth (one synchronous step of the launch), and a shutdown launches nothing.
 */
export function tidyArea(containment: Containment): void {
  if (containment.mode !== 'cgroup') return;
  for (const name of cgroupsOf(containment.area)) removeIfEmpty(join(containment.area, name));
  sweepArea(containment.area, new Set(cgroupsOf(containment.area)), { removeArea: true });
}

// The area's leaves; none when the area is gone (removed by hand, say).
function cgroupsOf(area: string): string[] {
  try {
    return childCgroups(area);
  } catch (error) {
    if (error instanceof CgroupError && error.code === 'E_CGROUP_NOT_FOUND') return [];
    throw error;
  }
}

function removeIfEmpty(leaf: string): void {
  try {
    if (!readCgroupEvents(leaf).populated) removeCgroup(leaf);
  } catch (error) {
    // Gone already, or populated meanwhile (E_CGROUP_BUSY): nothing to remove.
    if (!(error instanceof CgroupError)) throw error;
  }
}
