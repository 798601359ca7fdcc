// A supervisor that wrote a durable run's final record and died before telling the run
// host to let go of it: the host keeps the exit until collected, and would never leave.
// The next boot collects it. (The record edit stands in for that crash window.)
import { afterEach, expect, test } from 'vitest';
import { RUN_MARKER } from '../../src/options/run-spec.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { liveMarked } from '../support/process-checks.js';
import { editRecord } from '../support/record-editor.js';
import { liveRunHosts, waitRunHostGone } from '../support/run-hosts.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const supervisors = useSupervisors();
const removers: Array<() => void> = [];
afterEach(() => {
  for (const remove of removers.splice(0)) remove();
});

test('the run host of a run whose final record was written but whose exit was never collected leaves after the next boot', async () => {
  const temp = createTempHome();
  removers.push(temp.remove);
  const first = await supervisors({ home: temp.path });
  const run = await first.spawn({ durable: true, command: 'sh', args: ['-c', 'read x; exit 3'] });
  await first.shutdown({ runs: 'leave' });
  // Ends while no supervisor exists: the host keeps its exit.
  const [host] = liveRunHosts(temp.path);
  expect(host).toBeDefined();
  await waitUntil(() => liveMarked(run.id).length > 0, 5000, 'the run');
  await editRecord(temp.path, run.id, (record) => {
    const snapshot = record.snapshot as { context: Record<string, unknown> };
    Object.assign(record, { final: true });
    Object.assign(snapshot, { status: 'done', value: 'done' });
    Object.assign(snapshot.context, {
      endReason: 'exit',
      exit: {
        reason: 'exit',
        exitCode: 3,
        signal: null,
        durationMs: 1,
        timedOut: false,
        noOutputTimedOut: false,
        forced: false,
        error: null,
        survivors: [],
      },
    });
  });
  // The run's process ends (its supervisor saw that before it died).
  for (const p of findMarkedProcesses(RUN_MARKER).found.filter((m) => m.value === run.id)) {
    signalVerified(p.identity, 'SIGTERM');
  }
  await waitUntil(() => liveMarked(run.id).length === 0, 5000, 'the run to end');

  const second = await supervisors({ home: temp.path });
  expect(second.get(run.id)?.exit?.reason).toBe('exit');
  await waitRunHostGone(temp.path);
});
