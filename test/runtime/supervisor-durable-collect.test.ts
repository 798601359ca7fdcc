// A run host keeps a durable run's exit until a supervisor collects it, and leaves only
// once it holds nothing. A supervisor that died in the wrong moment must not leave it
// holding an exit forever: the next boot lets it go. (Record edits stand in for the
// crash windows, which the chaos harness hit for real.)
import { afterEach, expect, test } from 'vitest';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { liveMarked } from '../support/process-checks.js';
import { CANCELLED_EXIT, editRecord } from '../support/record-editor.js';
import { waitRunHostGone } from '../support/run-hosts.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const supervisors = useSupervisors();
const removers: Array<() => void> = [];
afterEach(() => {
  for (const remove of removers.splice(0)) remove();
});

type Context = Record<string, unknown>;

/**
 * A durable run left by its supervisor, whose process then ended (the host keeps the
 * exit), with its record edited to what the dying supervisor had written.
 */
async function leftAndEnded(
  edit: (record: Context, snapshot: Context, context: Context) => void,
): Promise<{ home: string; runId: string }> {
  const temp = createTempHome();
  removers.push(temp.remove);
  const first = await supervisors({ home: temp.path });
  const run = await first.spawn({ durable: true, command: 'sleep', args: ['60'] });
  await first.shutdown({ runs: 'leave' });
  await editRecord(temp.path, run.id, (record) => {
    const snapshot = record.snapshot as Context;
    edit(record, snapshot, snapshot.context as Context);
  });
  for (const p of findMarkedProcesses(RUN_MARKER).found.filter((m) => m.value === run.id)) {
    signalVerified(p.identity, 'SIGTERM');
  }
  await waitUntil(() => liveMarked(run.id).length === 0, 5000, 'the run to end');
  return { home: temp.path, runId: run.id };
}

test('the final record was written, the exit never collected: the next boot lets the host go', async () => {
  const { home, runId } = await leftAndEnded((record, snapshot, context) => {
    Object.assign(record, { final: true });
    Object.assign(snapshot, { status: 'done', value: 'done' });
    Object.assign(context, { endReason: 'cancelled', exit: CANCELLED_EXIT });
  });
  const sup = await supervisors({ home });
  expect(sup.get(runId)?.exit?.reason).toBe('cancelled');
  await waitRunHostGone(home);
});

test('finalizing, with the exit already recorded: the next boot finishes it and lets the host go', async () => {
  const { home, runId } = await leftAndEnded((_record, snapshot, context) => {
    Object.assign(snapshot, { value: 'finalizing' });
    Object.assign(context, {
      endReason: 'cancelled',
      processExit: { exitCode: null, signal: 'SIGTERM' },
    });
  });
  const sup = await supervisors({ home });
  expect(sup.lastReconcile?.killed).toEqual([runId]);
  expect(sup.get(runId)?.exit?.reason).toBe('cancelled');
  await waitRunHostGone(home);
});
