// A record that passes validation but that XState cannot restore (its snapshot lost its
// `children`, found by the record fuzz test) is quarantined: boot goes on, nothing is
// signalled, and the run's live process is left alone.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { signalVerified } from '../../src/os/signal-verified.js';
import {
  expectNeverSignalled,
  liveMarked,
  recorderSpec,
  waitRecorderReady,
} from '../support/process-checks.js';
import { waitUntil } from '../support/wait-for.js';
import { editRecord } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';

const supervisors = useSupervisors();

test('a snapshot XState cannot restore is quarantined, and boot goes on', async () => {
  const home = createTempHome();
  try {
    const first = await supervisors({ home: home.path });
    // The run's own process records every signal it gets.
    const signals = join(home.path, 'signals');
    const run = await first.spawn({ ...recorderSpec(signals), killGraceMs: 100 });
    const identity = await waitRecorderReady(signals);
    expect(identity).toEqual(run.info().identity);
    await first.shutdown({ runs: 'leave' });
    await editRecord(home.path, run.id, (record) => {
      delete (record.snapshot as Record<string, unknown>).children;
    });
    try {
      const second = await supervisors({ home: home.path });
      const report = second.lastReconcile;
      expect(report?.quarantined.map((q) => q.runId)).toContain(run.id);
      expect(report?.killed).toEqual([]);
      expect(report?.reattached).toEqual([]);
      await second.shutdown();
      // Never signalled on the strength of an unusable record, not even at shutdown.
      await expectNeverSignalled(identity, signals);
    } finally {
      // Ended here, by the test.
      signalVerified(identity, 'SIGKILL');
      await waitUntil(() => liveMarked(run.id).length === 0, 5000, 'the recorder to end');
    }
  } finally {
    home.remove();
  }
});
