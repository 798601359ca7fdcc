// Waiting for `populated 0`: woken by the kernel's notification (inotify on cgroup.events),
// bounded by a typed timeout naming who is still there, cancellable.
import { expect } from 'vitest';
import { CgroupError } from '../../../src/errors.js';
import { createRunLeaf } from '../../../src/os/cgroup/cgroup-area.js';
import { killCgroup } from '../../../src/os/cgroup/kill-cgroup.js';
import { listCgroupPids, waitCgroupEmpty } from '../../../src/os/cgroup/wait-cgroup.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';
import { waitUntil } from '../../support/wait-for.js';
import { startShape, useCgroupAreas } from './cgroup-fixtures.js';

const test = testNeeding(cgroupV2Writable());
const areas = useCgroupAreas();
const SLEEPER = { name: 'sleeper', script: 'sleep $N', nonceProcesses: 1, members: 2 };

test('an empty or missing cgroup resolves at once', async () => {
  const leaf = createRunLeaf(areas.open().dir, 'w', 1);
  await waitCgroupEmpty(leaf, { timeoutMs: 1000 });
  await waitCgroupEmpty(`${leaf}/missing`, { timeoutMs: 1000 });
});

test("the kernel's notification wakes the wait (the poll alone would take a minute)", async () => {
  const leaf = createRunLeaf(areas.open().dir, 'w', 1);
  startShape(leaf, SLEEPER, areas.home());
  await waitUntil(() => listCgroupPids(leaf).length === 2, 10_000, 'two members');
  const waiting = waitCgroupEmpty(leaf, { timeoutMs: 30_000, pollMs: 60_000 });
  await killCgroup(leaf);
  await waiting;
  expect(listCgroupPids(leaf)).toEqual([]);
});

test('a timeout is a CgroupError naming the pids still there', async () => {
  const leaf = createRunLeaf(areas.open().dir, 'w', 1);
  const started = startShape(leaf, SLEEPER, areas.home());
  const pids = await waitUntil(() => {
    const found = listCgroupPids(leaf);
    return found.length === 2 && found;
  }, 10_000);
  const error: unknown = await waitCgroupEmpty(leaf, { timeoutMs: 100, pollMs: 20 }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CgroupError);
  expect(error).toMatchObject({ code: 'E_CGROUP_TIMEOUT', path: leaf, pids });
  expect((error as Error).message).toContain(String(started.child.pid));
});

test('an abort rejects with the signal reason and stops watching', async () => {
  const leaf = createRunLeaf(areas.open().dir, 'w', 1);
  startShape(leaf, SLEEPER, areas.home());
  await waitUntil(() => listCgroupPids(leaf).length === 2, 10_000);
  const controller = new AbortController();
  const waiting = waitCgroupEmpty(leaf, { timeoutMs: 30_000, signal: controller.signal });
  const reason = new Error('cancelled by the test');
  controller.abort(reason);
  await expect(waiting).rejects.toBe(reason);
  const already = AbortSignal.abort();
  await expect(waitCgroupEmpty(leaf, { signal: already })).rejects.toMatchObject({
    name: 'AbortError',
  });
});

test('listCgroupPids walks the cgroups below', async () => {
  const home = areas.home();
  const leaf = createRunLeaf(areas.open().dir, 'w', 1);
  const inner = createRunLeaf(leaf, 'inner', 1);
  const a = startShape(leaf, SLEEPER, home);
  const b = startShape(inner, SLEEPER, home);
  const all = await waitUntil(() => {
    const found = listCgroupPids(leaf);
    return found.length === 4 && found;
  }, 10_000);
  expect(all).toEqual([...all].sort((x, y) => x - y));
  expect(all).toContain(a.child.pid);
  expect(all).toContain(b.child.pid);
  expect(listCgroupPids(inner)).toContain(b.child.pid);
  expect(listCgroupPids(`${leaf}/missing`)).toEqual([]);
});
