// Global setup/teardown: after the whole suite, no process carrying a run marker may remain.
// Leftovers are ended by verified identity (never by name) and the run fails loudly.
// Every process the suite starts inherits RUNWARDEN_TEST_SUITE, so a suite running next to
// this one (another checkout, another developer) is never mistaken for ours.
import { randomUUID } from 'node:crypto';
import { RUN_MARKER } from '../../src/options/run-spec.js';
import { findMarkedProcesses, type MarkedProcess } from '../../src/os/find-marked-processes.js';
import { readEnvironValue, readProcStat } from '../../src/os/proc-fs.js';
import { signalVerified } from '../../src/os/signal-verified.js';

const SUITE_VARIABLE = 'RUNWARDEN_TEST_SUITE';

/** True when an ancestor of `pid` carries this suite's tag. */
function descendsFromSuite(pid: number, suite: string): boolean {
  const seen = new Set<number>();
  for (let at = readProcStat(pid)?.ppid; at !== undefined && at > 1 && !seen.has(at);) {
    seen.add(at);
    const tag = readEnvironValue(at, SUITE_VARIABLE);
    if (typeof tag === 'object' && tag.value === suite) return true;
    at = readProcStat(at)?.ppid;
  }
  return false;
}

export function setup(): () => void {
  const suite = randomUUID();
  process.env[SUITE_VARIABLE] = suite;
  const key = (p: MarkedProcess) => `${p.identity.pid}:${p.identity.startTicks}`;
  const before = new Set(findMarkedProcesses(RUN_MARKER).found.map(key));
  return () => {
    const leaked = findMarkedProcesses(RUN_MARKER).found.filter((p) => {
      const tag = readEnvironValue(p.identity.pid, SUITE_VARIABLE);
      if (typeof tag === 'object') return tag.value === suite;
      // No tag (a run started with extendEnv: false): ours only if it appeared during the
      // suite below a process of the suite. Appearing during the suite is not enough: the
      // machine is shared, and another checkout's runs (a benchmark, say) must never be
      // reported, let alone killed, by this check.
      return tag === 'unset' && !before.has(key(p)) && descendsFromSuite(p.identity.pid, suite);
    });
    if (leaked.length === 0) return;
    for (const p of leaked) signalVerified(p.identity, 'SIGKILL');
    const list = leaked.map((p) => `${p.identity.pid} (${p.comm}, run ${p.value})`).join(', ');
    throw new Error(
      `[marker-check] ${leaked.length} process(es) with ${RUN_MARKER} leaked: ${list}`,
    );
  };
}
