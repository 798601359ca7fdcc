// What the reduced plans share: ending a run's process by its verified marker, showing the
// runs, waiting for the group to settle, and finishing (a stuck group is ended by identity).
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { findMarkedProcesses } from '../../dist/os/find-marked-processes.js';
import { RUN_MARKER } from '../../dist/os/run-marker.js';
import { signalVerified } from '../../dist/os/signal-verified.js';

/** SIGKILLs the processes marked with the run's id (each identity verified first). */
export function killRun(run) {
  for (const p of findMarkedProcesses(RUN_MARKER).found)
    if (p.value === run.id) signalVerified(p.identity, 'SIGKILL');
}

/** Each run's state and generation, as `state/generation`. */
export function showRuns(sup, runs) {
  return runs.map((run) => `${sup.get(run.id)?.state}/${sup.get(run.id)?.generation}`);
}

/** Waits up to `ms` for the group to be active with every run up; true when it is. */
export async function waitSettled(sup, runs, ms) {
  const settled = () =>
    sup.groups()[0]?.state === 'active' &&
    runs.every((run) => ['running', 'idle'].includes(sup.get(run.id)?.state ?? ''));
  const deadline = Date.now() + ms;
  while (!settled() && Date.now() < deadline) await sleep(20);
  return settled();
}

/** Ends what lives by identity (a stuck group would hold a shutdown up), then exits. */
export async function finish(sup, runs, home, stuck) {
  for (const run of runs) killRun(run);
  if (!stuck) await sup.shutdown();
  rmSync(home, { recursive: true, force: true });
  process.exit(stuck ? 1 : 0);
}
