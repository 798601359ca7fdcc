// A host of a protocol this supervisor cannot bridge, still holding the exit of a run whose
// final record was written (its supervisor died before collecting it): the boot releases it
// through the frozen release route, so the host empties and exits (and with it the host
// lock), and durable spawns go on. Real host of this build playing protocol 7.
import { afterEach, beforeAll, expect, test } from 'vitest';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { liveMarked } from '../support/process-checks.js';
import { recordAsCancelled } from '../support/record-editor.js';
import { liveRunHosts, waitRunHostGone } from '../support/run-hosts.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

beforeAll(() => {
  assertFreshBuild();
});
const supervisors = useSupervisors();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('an unbridgeable host holding a finished run is released at boot, exits, and durable spawns go on', async () => {
  const temp = createTempHome();
  cleanups.push(temp.remove);
  const home = temp.path;
  cleanups.push(async () => {
    // Only if the test failed: a host left behind is ended by verified identity.
    for (const host of liveRunHosts(home)) signalVerified(host, 'SIGKILL');
    await waitRunHostGone(home);
  });
  const first = await supervisors({ home, hostProtocol: 7 });
  const run = await first.spawn({ durable: true, command: 'sleep', args: ['60'] });
  await first.shutdown({ runs: 'leave' });
  // What the dying supervisor had written: the final record, the exit never collected.
  await recordAsCancelled(home, run.id);
  for (const p of findMarkedProcesses(RUN_MARKER).found.filter((m) => m.value === run.id)) {
    signalVerified(p.identity, 'SIGTERM');
  }
  await waitUntil(() => liveMarked(run.id).length === 0, 5000, 'the run to end');
  expect(liveRunHosts(home)).toHaveLength(1);

  const second = await supervisors({ home });
  expect(second.get(run.id)?.exit?.reason).toBe('cancelled');
  await waitRunHostGone(home);
  const next = await second.spawn({ durable: true, command: 'true' });
  await waitUntil(() => second.get(next.id)?.exit ?? null, 10_000, 'the durable run to end');
  expect(second.get(next.id)?.exit?.reason).toBe('exit');
}, 40_000);
