// Global setup/teardown: after the whole suite, no process carrying a run marker may remain,
// and no run host (which exits by itself once it holds no run). Leftovers are ended by
// verified identity (never by name) and the run fails loudly.
// Every process the suite starts inherits RUNWARDEN_TEST_SUITE, so a suite running next to
// this one (another checkout, another developer, a benchmark) is never mistaken for ours.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_HOST_MARKER } from '../../src/host/run-host-link.js';
import { RUN_MARKER } from '../../src/options/run-spec.js';
import { findMarkedProcesses, type MarkedProcess } from '../../src/os/find-marked-processes.js';
import { readEnvironValue } from '../../src/os/proc-fs.js';
import { signalVerified } from '../../src/os/signal-verified.js';

const SUITE_VARIABLE = 'RUNWARDEN_TEST_SUITE';

export function setup(): () => Promise<void> {
  const suite = randomUUID();
  process.env[SUITE_VARIABLE] = suite;
  // Run hosts of the suite linger briefly once they hold no run.
  process.env.RUNWARDEN_HOST_LINGER_MS = '200';
  // Only a process carrying this suite's tag is ours. One without it (a run started with
  // extendEnv: false, or a benchmark of another checkout on this machine) is never judged
  // nor signalled: a test that drops the environment passes the tag itself.
  const ours = (p: MarkedProcess) => {
    const tag = readEnvironValue(p.identity.pid, SUITE_VARIABLE);
    return typeof tag === 'object' && tag.value === suite;
  };
  const leftovers = () => [
    ...findMarkedProcesses(RUN_MARKER).found.filter(ours),
    ...findMarkedProcesses(RUN_HOST_MARKER).found.filter(ours),
  ];
  return async () => {
    // A host whose last run was just collected is still within its linger.
    let leaked = leftovers();
    for (let i = 0; i < 20 && leaked.length > 0; i++) {
      await sleep(100);
      leaked = leftovers();
    }
    if (leaked.length === 0) return;
    for (const p of leaked) signalVerified(p.identity, 'SIGKILL');
    const list = leaked.map((p) => `${p.identity.pid} (${p.comm}, ${p.value})`).join(', ');
    throw new Error(
      `[marker-check] ${leaked.length} run process(es) or run host(s) leaked: ${list}`,
    );
  };
}
