// Ending a cgroup: every escapee shape dies with killCgroup + waitCgroupEmpty, through
// cgroup.kill and through the fallback (freeze, SIGKILL each member, thaw).
import { expect } from 'vitest';
import { createRunLeaf } from '../../../src/os/cgroup/cgroup-area.js';
import { readCgroupEvents } from '../../../src/os/cgroup/cgroup-files.js';
import { killCgroup } from '../../../src/os/cgroup/kill-cgroup.js';
import { listCgroupPids, waitCgroupEmpty } from '../../../src/os/cgroup/wait-cgroup.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';
import { waitUntil } from '../../support/wait-for.js';
import { processesWithNonce, SHAPES, startShape, useCgroupAreas } from './cgroup-fixtures.js';

const test = testNeeding(cgroupV2Writable());
const areas = useCgroupAreas();

for (const method of ['auto', 'freeze'] as const) {
  for (const shape of SHAPES) {
    test(`${shape.name}: the whole tree dies (method ${method})`, async () => {
      const home = areas.home();
      const leaf = createRunLeaf(areas.open().dir, 'k', 1);
      const started = startShape(leaf, shape, home);
      const members = await waitUntil(
        () => {
          const pids = listCgroupPids(leaf);
          return (
            processesWithNonce(started.nonce).length === shape.nonceProcesses &&
            pids.length === shape.members &&
            pids
          );
        },
        10_000,
        `"${shape.name}" to settle`,
      );
      const result = await killCgroup(leaf, { method });
      if (method === 'auto') expect(result).toEqual({ method: 'cgroup.kill', signalled: [] });
      else expect(result).toEqual({ method: 'freeze', signalled: members });
      await waitCgroupEmpty(leaf, { timeoutMs: 10_000 });
      expect(readCgroupEvents(leaf)).toEqual({ populated: false, frozen: false });
      expect(listCgroupPids(leaf)).toEqual([]);
      expect(processesWithNonce(started.nonce)).toEqual([]);
      await started.exited;
      expect(started.child.signalCode).toBe('SIGKILL');
    });
  }
}

test('a tree that keeps forking dies too, by either method', async () => {
  const home = areas.home();
  const area = areas.open();
  // A fork bomb in slow motion: each process starts another and lives on.
  const script = 'f() { sleep 0.01; f & sleep 600; }; f';
  for (const method of ['auto', 'freeze'] as const) {
    const leaf = createRunLeaf(area.dir, `bomb-${method}`, 1);
    const started = startShape(
      leaf,
      { name: 'forker', script, nonceProcesses: 0, members: 0 },
      home,
    );
    await waitUntil(() => listCgroupPids(leaf).length >= 20, 10_000, '20 forked processes');
    await killCgroup(leaf, { method });
    await waitCgroupEmpty(leaf, { timeoutMs: 10_000 });
    expect(listCgroupPids(leaf)).toEqual([]);
    await started.exited;
  }
});

test('an empty cgroup is killed at once; a missing one is reported gone', async () => {
  const leaf = createRunLeaf(areas.open().dir, 'empty', 1);
  expect(await killCgroup(leaf)).toEqual({ method: 'cgroup.kill', signalled: [] });
  expect(await killCgroup(leaf, { method: 'freeze' })).toEqual({ method: 'freeze', signalled: [] });
  expect(readCgroupEvents(leaf).frozen).toBe(false);
  expect(await killCgroup(`${leaf}/missing`)).toEqual({ method: 'gone', signalled: [] });
});

test('the fallback reaches the cgroups below the leaf', async () => {
  const home = areas.home();
  const leaf = createRunLeaf(areas.open().dir, 'nested', 1);
  const inner = createRunLeaf(leaf, 'inner', 1);
  const outer = startShape(
    leaf,
    { name: 'a', script: 'sleep $N', nonceProcesses: 1, members: 2 },
    home,
  );
  const nested = startShape(
    inner,
    { name: 'b', script: 'sleep $N', nonceProcesses: 1, members: 2 },
    home,
  );
  // Each: sh and its sleep.
  await waitUntil(() => listCgroupPids(leaf).length === 4, 10_000, 'four members');
  const result = await killCgroup(leaf, { method: 'freeze' });
  expect(result.signalled).toHaveLength(4);
  await waitCgroupEmpty(leaf);
  await Promise.all([outer.exited, nested.exited]);
});
