// Terminations running at the same time share their scans of the process table.
import { afterEach, expect, onTestFinished, test, vi } from 'vitest';
import { checkIdentity } from '../../src/os/process-identity.js';
import { processTable } from '../../src/os/process-table.js';
import { terminateRunTree } from '../../src/os/terminate-run-tree.js';
import { startBystander } from '../support/process-checks.js';
import { destroyAllSpawned, liveMarked, spawnTree, uniqueRunId } from '../support/spawn-tree.js';
import { waitUntil } from '../support/wait-for.js';

afterEach(async () => {
  vi.restoreAllMocks();
  await destroyAllSpawned();
});

function countScans(): { readonly count: () => number } {
  const table = processTable();
  const list = vi.spyOn(table, 'list');
  return { count: () => list.mock.calls.length };
}

test('twenty trees ended together are scanned together, and every member dies', async () => {
  const trees = Array.from({ length: 20 }, () => spawnTree('(setsid sleep 64 &); sleep 65'));
  await waitUntil(() => trees.every((tree) => liveMarked(tree).length === 2), 5000, 'trees');
  const scans = countScans();

  const reports = await Promise.all(
    trees.map((tree) =>
      terminateRunTree({
        query: { marker: tree.marker, root: tree.root },
        graceMs: 10_000,
        softSignals: ['SIGTERM'],
      }),
    ),
  );

  // One scan to collect, rescans until every tree looked dead twice: not one per tree.
  expect(scans.count()).toBeLessThan(trees.length);
  for (const [index, tree] of trees.entries()) {
    const report = reports[index];
    if (report === undefined) throw new Error(`no report for tree ${index}`);
    expect(report.members).toHaveLength(2);
    expect(report.survivors).toEqual([]);
    expect(report.forced).toBe(false);
    for (const member of report.members) expect(checkIdentity(member.identity)).toBe('exited');
    expect(liveMarked(tree)).toEqual([]);
  }
});

test('a tree found empty is dead after one scan', async () => {
  const tree = spawnTree('exit 0');
  await tree.exited;
  const scans = countScans();
  const report = await terminateRunTree({
    query: { marker: tree.marker, root: tree.root },
    graceMs: 10_000,
    softSignals: ['SIGTERM'],
  });
  expect(report.members).toEqual([]);
  expect(scans.count()).toBe(1);
});

test('a scan that fails fails the terminations waiting on it, and the next ones work', async () => {
  // A marked signal recorder: it must get nothing from the termination whose scan failed.
  const bystander = await startBystander({ runId: uniqueRunId('failed-scan') });
  onTestFinished(() => bystander.stop());
  const query = { marker: bystander.tree.marker, root: bystander.identity };
  const options = { query, graceMs: 10_000, softSignals: ['SIGTERM'] as NodeJS.Signals[] };
  vi.spyOn(processTable(), 'list').mockImplementationOnce(() => {
    throw new Error('process table unreadable');
  });
  await expect(terminateRunTree(options)).rejects.toThrow('process table unreadable');
  await bystander.expectNeverSignalled(); // nothing was signalled on a failed scan

  // It handles SIGTERM and lives on: with no grace, SIGKILL is the only signal.
  const report = await terminateRunTree({ ...options, graceMs: 0 });
  expect(report).toMatchObject({ forced: true, survivors: [] });
  expect(liveMarked(bystander.tree)).toEqual([]);
});

test('a termination aborted before it starts signals nothing', async () => {
  const bystander = await startBystander({ runId: uniqueRunId('aborted') });
  onTestFinished(() => bystander.stop());
  const report = await terminateRunTree({
    query: { marker: bystander.tree.marker, root: bystander.identity },
    graceMs: 10_000,
    softSignals: ['SIGTERM'],
    signal: AbortSignal.abort(),
  });
  expect(report.members).toEqual([]);
  await bystander.expectNeverSignalled();
});

test('terminations done in the same round are reported newest first', async () => {
  const trees = Array.from({ length: 5 }, () => spawnTree('exit 0'));
  await Promise.all(trees.map((tree) => tree.exited));
  const scans = countScans();
  const reported: number[] = [];
  // Started in one turn, each found empty by the same first scan: done in one round.
  await Promise.all(
    trees.map((tree, index) =>
      terminateRunTree({
        query: { marker: tree.marker, root: tree.root },
        graceMs: 10_000,
        softSignals: ['SIGTERM'],
      }).then(() => reported.push(index)),
    ),
  );
  expect(scans.count()).toBe(1);
  expect(reported).toEqual([4, 3, 2, 1, 0]);
});
