// A record of a newer runwarden, met by this build's daemon: `runwarden status` (words and
// --json) and the daemon's boot log say it was left untouched and which runwarden it needs;
// its process goes on, unjudged.
import { expect, test } from 'vitest';
import { createSupervisor, type NewerRecord } from '../../src/index.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { terminateRunTree } from '../../src/os/terminate-run-tree.js';
import { CURRENT_BIN, runBuildCli, startBuildDaemon } from '../support/build-daemon.js';
import { liveMarked } from '../support/process-checks.js';
import { editRecord } from '../support/record-editor.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups } = useBuiltCli('runwarden-cli-');

test('status and the boot log name a newer record, left untouched, and what it needs', async () => {
  const temp = createTempHome('runwarden-newer-');
  cleanups.push(temp.remove);
  const home = temp.path;
  const sup = await createSupervisor({ home });
  const run = await sup.spawn({ mode: 'child', command: 'sleep', args: ['300'] });
  cleanups.push(async () => {
    await terminateRunTree({
      query: { marker: `${RUN_MARKER}=${run.id}`, root: null },
      graceMs: 200,
      softSignals: ['SIGTERM'],
    });
    expect(liveMarked(run.id)).toEqual([]);
  });
  await waitUntil(() => liveMarked(run.id).length === 1, 5000, 'the run');
  await sup.shutdown({ runs: 'leave' });
  await editRecord(home, run.id, (record) => {
    record.schemaVersion = 3;
  });

  const daemon = await startBuildDaemon(CURRENT_BIN, home);
  cleanups.push(() => daemon.kill());
  const newer: NewerRecord = {
    key: `default/run/${run.id}`,
    kind: 'run',
    runId: run.id,
    schemaVersion: 3,
    needs: 'a runwarden that reads run records v3',
  };
  const status = JSON.parse(await runBuildCli(CURRENT_BIN, home, ['status', '--json'])) as {
    lastReconcile: { newer: NewerRecord[]; quarantined: unknown[]; killed: string[] };
  };
  expect(status.lastReconcile).toMatchObject({ newer: [newer], quarantined: [], killed: [] });
  // A live reconcile names it too (and leaves its process alone).
  const reconciled = JSON.parse(await runBuildCli(CURRENT_BIN, home, ['reconcile', '--json'])) as {
    source: string;
    newer: NewerRecord[];
    escapeesKilled: unknown[];
  };
  expect(reconciled).toMatchObject({ source: 'daemon', newer: [newer], escapeesKilled: [] });
  const words = await runBuildCli(CURRENT_BIN, home, ['status']);
  expect(words).toContain(
    `left untouched: default/run/${run.id} is schema v3; it needs a runwarden that reads run records v3`,
  );
  const logged = daemon
    .log()
    .split('\n')
    .filter((line) => line.includes('record of a newer runwarden left untouched'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(logged).toEqual([expect.objectContaining(newer)]);
  expect(await daemon.stop()).toBe(0);
  expect(liveMarked(run.id)).toHaveLength(1);
});
