// Terminations running at the same time share their scans of the process table.
import { afterEach, expect, test, vi } from 'vitest';
import { checkIdentity } from '../../src/os/process-identity.js';
import { processTable } from '../../src/os/process-table.js';
import { terminateRunTree } from '../../src/os/terminate-run-tree.js';
import { destroyAllSpawned, liveMarked, spawnTree } from '../support/spawn-tree.js';
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
  const tree = spawnTree('sleep 66');
  await waitUntil(() => liveMarked(tree).length === 1, 5000, 'sleep');
  const query = { marker: tree.marker, root: tree.root };
  const options = { query, graceMs: 10_000, softSignals: ['SIGTERM'] as NodeJS.Signals[] };
  vi.spyOn(processTable(), 'list').mockImplementationOnce(() => {
    throw new Error('process table unreadable');
  });
  await expect(terminateRunTree(options)).rejects.toThrow('process table unreadable');
  expect(liveMarked(tree)).toHaveLength(1); // nothing was signalled on a failed scan

  const report = await terminateRunTree(options);
  expect(report.survivors).toEqual([]);
  expect(liveMarked(tree)).toEqual([]);
});

test('a termination aborted before it starts signals nothing', async () => {
  const tree = spawnTree('sleep 67');
  await waitUntil(() => liveMarked(tree).length === 1, 5000, 'sleep');
  const report = await terminateRunTree({
    query: { marker: tree.marker, root: tree.root },
    graceMs: 10_000,
    softSignals: ['SIGTERM'],
    signal: AbortSignal.abort(),
  });
  expect(report.members).toEqual([]);
  expect(liveMarked(tree)).toHaveLength(1);
});
