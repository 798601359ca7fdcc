// Keeps a supervisor's cgroup area to its live runs: a boot removes the leaves no live run
// holds (one whose processes outlived their record, a generation that crashed while it
// started, an empty leaf a crash left), and a shutdown removes the area once nothing is in
// it. A populated stray leaf is ended as a whole: only this supervisor places processes in
// its area (its name and store are held by one owner), so every member is one of its runs'.
import { basename, dirname, join } from 'node:path';
import { CgroupError } from '../errors.js';
import type { Containment } from '../os/cgroup/containment.js';
import { childCgroups, readCgroupEvents } from '../os/cgroup/cgroup-files.js';
import { parseLeafName } from '../os/cgroup/cgroup-names.js';
import { killCgroup } from '../os/cgroup/kill-cgroup.js';
import { removeCgroup, sweepArea } from '../os/cgroup/remove-cgroup.js';
import { waitCgroupEmpty } from '../os/cgroup/wait-cgroup.js';
import type { Logger } from '../support/logger.js';

// How long a stray leaf's processes get to disappear after cgroup.kill.
const STRAY_KILL_WAIT_MS = 10_000;

/** What a sweep leaves alone. */
export interface SweepKeep {
  /** The cgroups live runs hold. */
  readonly live: Iterable<string>;
  /**
   * Runs whose records this supervisor leaves untouched (written by a newer runwarden, or
   * quarantined): their leaves are never judged, as their processes are never signalled.
   */
  readonly untouched?: ReadonlySet<string>;
}

/** Removes the area's leaves nothing keeps (ending stray processes); the stray leaves. */
export async function sweepRunCgroups(
  containment: Containment,
  { live, untouched = new Set() }: SweepKeep,
  logger: Logger,
  options: { removeArea?: boolean } = {},
): Promise<string[]> {
  if (containment.mode !== 'cgroup') return [];
  const { area } = containment;
  const keep = new Set([...live].filter((leaf) => dirname(leaf) === area).map((l) => basename(l)));
  for (const name of cgroupsOf(area)) {
    const leaf = parseLeafName(name);
    if (leaf === null || untouched.has(leaf.runId)) keep.add(name);
  }
  // An empty leaf goes even when kept: removing it signals nothing, and its run (an orphan
  // left uncertain, say) reads a missing cgroup as empty. A leaf is never empty between its
  // creation and its process's birth: both happen in one synchronous step of the launch.
  for (const name of keep) removeIfEmpty(join(area, name));
  const first = sweepArea(area, keep);
  for (const leaf of first.populated) {
    try {
      await killCgroup(leaf);
      await waitCgroupEmpty(leaf, { timeoutMs: STRAY_KILL_WAIT_MS });
      removeCgroup(leaf);
    } catch (error) {
      logger.error({ err: error, leaf }, 'could not end a stray cgroup of this supervisor');
    }
  }
  const stray = [...first.removed, ...first.populated];
  if (stray.length > 0) logger.warn({ leaves: stray }, 'removed stray cgroups of this supervisor');
  if (options.removeArea === true) sweepArea(area, keep, { removeArea: true });
  return stray;
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
