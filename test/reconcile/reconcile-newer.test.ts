// A record written by a newer runwarden (schemaVersion above what this code reads) is never
// misread, quarantined or deleted, and its processes are never judged: left in place and
// reported with the version it needs, by a boot and by a dry run.
import { afterEach, expect, test } from 'vitest';
import { reconcileStore } from '../../src/index.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { terminateRunTree } from '../../src/os/terminate-run-tree.js';
import { liveMarked } from '../support/process-checks.js';
import { editRecord, withRecords } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const create = useSupervisors();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Ends a run's processes by marker and verified identity, and checks none is left.
async function endMarked(runId: string): Promise<void> {
  const result = await terminateRunTree({
    query: { marker: `${RUN_MARKER}=${runId}`, root: null },
    graceMs: 200,
    softSignals: ['SIGTERM'],
  });
  expect(result.survivors).toEqual([]);
  expect(liveMarked(runId)).toEqual([]);
}

test('a newer run record: left untouched, reported with the version it needs, its processes alive', async () => {
  const temp = createTempHome();
  cleanups.push(temp.remove);
  const home = temp.path;
  const first = await create({ home });
  // Escapees too: a boot's marker sweep would end those of a run it judged finished.
  const live = await first.spawn({
    mode: 'child',
    command: 'sh',
    args: ['-c', '(setsid sleep 91 &); sleep 92'],
  });
  const done = await first.spawn({ mode: 'child', command: 'true' });
  await done.exited;
  cleanups.push(() => endMarked(live.id));
  await waitUntil(() => liveMarked(live.id).length >= 2, 5000, 'the run and its escapee');
  await first.shutdown({ runs: 'leave' });
  // What a newer runwarden would have written: a version above ours, fields we do not know.
  for (const id of [live.id, done.id]) {
    await editRecord(home, id, (record) => {
      record.schemaVersion = 3;
      record.groups = ['from the future'];
    });
  }
  const stored = await withRecords(home, (store) =>
    Promise.all([store.get(store.runKey(live.id)), store.get(store.runKey(done.id))]),
  );
  const pids = liveMarked(live.id).sort();

  const newer = [live.id, done.id].map((runId) => ({
    key: `default/run/${runId}`,
    kind: 'run',
    runId,
    schemaVersion: 3,
    needs: 'a runwarden that reads run records v3',
  }));
  const dry = await reconcileStore({ home, dryRun: true });
  expect(dry.newer).toEqual(expect.arrayContaining(newer));
  expect(dry.newer).toHaveLength(2);

  const second = await create({ home, onOrphan: 'kill' });
  const report = second.lastReconcile;
  expect(report?.newer).toEqual(expect.arrayContaining(newer));
  expect(report).toMatchObject({
    killed: [],
    reattached: [],
    lost: [],
    quarantined: [],
  });
  // Other suites' runs may be on this machine too: only ours are checked.
  const ours = (list: ReadonlyArray<{ runId: string }>) =>
    list.filter((entry) => entry.runId === live.id || entry.runId === done.id);
  expect(ours(report?.escapeesKilled ?? [])).toEqual([]);
  expect(ours(report?.unknownMarked ?? [])).toEqual([]);
  expect(second.get(live.id)).toBeUndefined();
  expect(liveMarked(live.id).sort()).toEqual(pids);
  // A live reconcile of the running supervisor does not judge them either.
  const liveReport = await second.reconcile();
  expect(ours(liveReport.escapeesKilled)).toEqual([]);
  expect(ours(liveReport.unknownMarked)).toEqual([]);
  await second.shutdown();
  expect(liveMarked(live.id).sort()).toEqual(pids);
  // Byte for byte what was stored: neither rewritten, quarantined nor deleted.
  await withRecords(home, async (store) => {
    expect(await store.get(store.runKey(live.id))).toEqual(stored[0]);
    expect(await store.get(store.runKey(done.id))).toEqual(stored[1]);
    expect(await store.get(store.quarantineKey(live.id))).toBeUndefined();
  });
});
