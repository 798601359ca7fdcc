// After a test ended a supervisor's runs, what is left of its cgroup area (empty leaves of
// runs it left or could not judge, the area itself) is removed: removing an empty cgroup
// signals nothing. A populated one stays, for the suite's cgroup leak check to report.
import { sweepArea } from '../../src/os/cgroup/remove-cgroup.js';

/** Removes the empty leaves of `area` and the area once nothing is in it. */
export function removeEmptyArea(area: string | null | undefined): void {
  if (area == null) return;
  sweepArea(area, new Set(), { removeArea: true });
}
