// A record that passes validation but that XState cannot restore (its snapshot lost its
// `children`, found by the record fuzz test) is quarantined: boot goes on, nothing is
// signalled, and the run's live process is left alone.
import { expect, test } from 'vitest';
import { signalVerified } from '../../src/os/signal-verified.js';
import { liveMarked } from '../support/process-checks.js';
import { waitUntil } from '../support/wait-for.js';
import { editRecord } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';

const supervisors = useSupervisors();

test('a snapshot XState cannot restore is quarantined, and boot goes on', async () => {
  const home = createTempHome();
  try {
    const first = await supervisors({ home: home.path });
    const run = await first.spawn({ command: 'sleep', args: ['30'], killGraceMs: 100 });
    await first.shutdown({ runs: 'leave' });
    await editRecord(home.path, run.id, (record) => {
      delete (record.snapshot as Record<string, unknown>).children;
    });
    const second = await supervisors({ home: home.path });
    const report = second.lastReconcile;
    expect(report?.quarantined.map((q) => q.runId)).toContain(run.id);
    expect(report?.killed).toEqual([]);
    expect(report?.reattached).toEqual([]);
    // Never signalled on the strength of an unusable record: ended here, by the test.
    expect(liveMarked(run.id).length).toBeGreaterThan(0);
    const identity = run.info().identity;
    if (identity === null) throw new Error('no identity recorded');
    expect(signalVerified(identity, 'SIGKILL')).toMatchObject({ kind: 'sent' });
    await waitUntil(() => liveMarked(run.id).length === 0, 5000, 'the sleep to end');
  } finally {
    home.remove();
  }
});
