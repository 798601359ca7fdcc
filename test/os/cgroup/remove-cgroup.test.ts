// Removing cgroups: deepest first, a gone one is fine, a populated one is a typed error and
// is never signalled; sweeping an area keeps what it is told to and reports what is alive.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CgroupError } from '../../../src/errors.js';
import { createRunLeaf } from '../../../src/os/cgroup/cgroup-area.js';
import { removeCgroup, sweepArea } from '../../../src/os/cgroup/remove-cgroup.js';
import { listCgroupPids } from '../../../src/os/cgroup/wait-cgroup.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';
import { waitUntil } from '../../support/wait-for.js';
import { startShape, useCgroupAreas, type StartedShape } from './cgroup-fixtures.js';

const test = testNeeding(cgroupV2Writable());
const areas = useCgroupAreas();
const SLEEPER = { name: 'sleeper', script: 'sleep $N', nonceProcesses: 1, members: 2 };

/** Starts a sleeper in `leaf` and waits until it is there. */
async function occupy(leaf: string): Promise<StartedShape> {
  const started = startShape(leaf, SLEEPER, areas.home());
  await waitUntil(() => listCgroupPids(leaf).length === 2, 10_000, 'a sleeper in the leaf');
  return started;
}

test('removes a cgroup and the cgroups below it; a missing one is fine', () => {
  const area = areas.open();
  const leaf = createRunLeaf(area.dir, 'r', 1);
  mkdirSync(join(leaf, 'a'));
  mkdirSync(join(leaf, 'a', 'b'));
  mkdirSync(join(leaf, 'c'));
  removeCgroup(leaf);
  expect(existsSync(leaf)).toBe(false);
  removeCgroup(leaf);
});

test('a populated cgroup is not removed: a typed error naming its processes, nobody signalled', async () => {
  const area = areas.open();
  const leaf = createRunLeaf(area.dir, 'r', 1);
  const inner = createRunLeaf(leaf, 'inner', 1);
  const started = await occupy(inner);
  const error = (() => {
    try {
      removeCgroup(leaf);
      return null;
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(CgroupError);
  expect(error).toMatchObject({ code: 'E_CGROUP_BUSY', path: inner });
  expect((error as CgroupError).pids).toContain(started.child.pid);
  expect(started.child.exitCode).toBeNull();
  expect(listCgroupPids(leaf)).toHaveLength(2);
});

test('a sweep removes empty leaves not kept, reports populated ones, signals nothing', async () => {
  const area = areas.open();
  const kept = createRunLeaf(area.dir, 'kept', 1);
  const stale = createRunLeaf(area.dir, 'stale', 1);
  mkdirSync(join(stale, 'sub'));
  const alive = createRunLeaf(area.dir, 'alive', 1);
  const started = await occupy(alive);
  const result = sweepArea(area.dir, new Set(['kept.g1']), { removeArea: true });
  expect(result).toEqual({ removed: [stale], populated: [alive], areaRemoved: false });
  expect(existsSync(kept)).toBe(true);
  expect(existsSync(stale)).toBe(false);
  expect(started.child.exitCode).toBeNull();
  expect(started.child.signalCode).toBeNull();
  // A kept leaf, even empty, keeps the area.
  expect(sweepArea(area.dir, new Set(['kept.g1', 'alive.g1']), { removeArea: true })).toEqual({
    removed: [],
    populated: [],
    areaRemoved: false,
  });
  expect(existsSync(kept)).toBe(true);
});

test('a sweep removes the area when asked and nothing is left; a missing area sweeps to nothing', () => {
  const area = areas.open();
  const leaf = createRunLeaf(area.dir, 'old', 3);
  expect(sweepArea(area.dir, new Set())).toEqual({
    removed: [leaf],
    populated: [],
    areaRemoved: false,
  });
  expect(existsSync(area.dir)).toBe(true);
  expect(sweepArea(area.dir, new Set(), { removeArea: true })).toEqual({
    removed: [],
    populated: [],
    areaRemoved: true,
  });
  expect(existsSync(area.dir)).toBe(false);
  expect(sweepArea(area.dir, new Set(), { removeArea: true })).toEqual({
    removed: [],
    populated: [],
    areaRemoved: false,
  });
});
