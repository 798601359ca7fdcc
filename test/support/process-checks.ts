// Liveness checks on real processes, by pid + start time (never by name).
import { collectRunTree } from '../../src/os/collect-run-tree.js';
import { RUN_MARKER } from '../../src/options/run-spec.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';

/** Live processes that carry `RUNWARDEN_RUN_ID=<runId>`. */
export function liveMarked(runId: string): number[] {
  return findMarkedProcesses(RUN_MARKER)
    .found.filter((p) => p.value === runId)
    .map((p) => p.identity.pid);
}

/** Live members of a run's tree by marker only (root unknown). */
export function liveTree(runId: string): number[] {
  return collectRunTree({ marker: `${RUN_MARKER}=${runId}`, root: null }).members.map(
    (m) => m.identity.pid,
  );
}
