// Global teardown: after the whole suite, no process carrying a run marker may remain.
// Leftovers are ended by verified identity (never by name) and the run fails loudly.
import { RUN_MARKER } from '../../src/options/run-spec.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { signalVerified } from '../../src/os/signal-verified.js';

export function setup(): () => void {
  const before = findMarkedProcesses(RUN_MARKER).found;
  if (before.length > 0) {
    // Not ours: a previous run leaked these. Report, so the numbers below stay honest.
    console.warn(`[marker-check] ${before.length} marked process(es) existed before the suite`);
  }
  const preexisting = new Set(before.map((p) => `${p.identity.pid}:${p.identity.startTicks}`));
  return () => {
    const leaked = findMarkedProcesses(RUN_MARKER).found.filter(
      (p) => !preexisting.has(`${p.identity.pid}:${p.identity.startTicks}`),
    );
    if (leaked.length === 0) return;
    for (const p of leaked) signalVerified(p.identity, 'SIGKILL');
    const list = leaked.map((p) => `${p.identity.pid} (${p.comm}, run ${p.value})`).join(', ');
    throw new Error(
      `[marker-check] ${leaked.length} process(es) with ${RUN_MARKER} leaked: ${list}`,
    );
  };
}
