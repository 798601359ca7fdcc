// A supervisor's area and its run leaves: safe names only, modes as cgroupfs gives them,
// controllers reported as they are, and kernel limits only where a controller exists.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test as plainTest } from 'vitest';
import { CgroupError, InvalidOptionError } from '../../../src/errors.js';
import { createRunLeaf, openArea } from '../../../src/os/cgroup/cgroup-area.js';
import { parseControllerList, readCgroupFile } from '../../../src/os/cgroup/cgroup-files.js';
import { availableLimits, setMemoryMax, setPidsMax } from '../../../src/os/cgroup/cgroup-limits.js';
import { areaDirFor, leafNameFor, parseLeafName } from '../../../src/os/cgroup/cgroup-names.js';
import { listCgroupPids } from '../../../src/os/cgroup/wait-cgroup.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';
import { waitUntil } from '../../support/wait-for.js';
import { startShape, useCgroupAreas } from './cgroup-fixtures.js';

const test = testNeeding(cgroupV2Writable());
const areas = useCgroupAreas();

plainTest('names are single safe path segments', () => {
  expect(areaDirFor('/cg/own', 'default')).toBe('/cg/own/runwarden.default');
  expect(leafNameFor('rabc123', 0)).toBe('rabc123.g0');
  expect(leafNameFor('r.x_y-z', 12)).toBe('r.x_y-z.g12');
  expect(parseLeafName('rabc.def.g12')).toEqual({ runId: 'rabc.def', generation: 12 });
  expect(parseLeafName('cgroup.procs')).toBeNull();
  expect(parseLeafName('r.g01')).toBeNull();
  for (const bad of ['', '..', '.hidden', 'a/b', 'a b', 'x'.repeat(65), 'é', '../x', '-x']) {
    expect(() => areaDirFor('/cg', bad), bad).toThrow(InvalidOptionError);
    expect(() => leafNameFor(bad, 1), bad).toThrow(InvalidOptionError);
  }
  expect(() => areaDirFor('/cg', 7 as unknown as string)).toThrow(/Invalid option `name`/);
  for (const generation of [-1, 1.5, Number.NaN, 2 ** 53]) {
    expect(() => leafNameFor('r1', generation)).toThrow(/Invalid option `generation`/);
  }
});

test('an area is created once, keeps the kernel mode, and says which limits its leaves get', () => {
  const area = areas.open();
  expect(area.created).toBe(true);
  expect(area.dir.startsWith(areas.home().dir)).toBe(true);
  expect(existsSync(join(area.dir, 'cgroup.procs'))).toBe(true);
  // Not chmodded: what the kernel gives a new cgroup directory (0755, the creator's).
  expect(statSync(area.dir).mode & 0o777).toBe(0o755);
  const offered = parseControllerList(readCgroupFile(area.dir, 'cgroup.controllers'));
  const { enabled, unavailable, failed } = area.controllers;
  expect([...enabled, ...unavailable, ...failed.map((f) => f.controller)].sort()).toEqual([
    'memory',
    'pids',
  ]);
  for (const controller of unavailable) expect(offered).not.toContain(controller);
  const enabledNow = parseControllerList(readCgroupFile(area.dir, 'cgroup.subtree_control'));
  for (const controller of enabled) expect(enabledNow).toContain(controller);
  // Opening again finds it, and enabling is idempotent.
  const name = area.dir.slice(area.dir.lastIndexOf('/') + 'runwarden.'.length + 1);
  const again = openArea(areas.home().dir, name);
  expect(again).toEqual({ ...area, created: false });
});

test('a run leaf is created per generation; an empty one is reused, a populated one refused', async () => {
  const area = areas.open();
  const leaf = createRunLeaf(area.dir, 'r1', 1);
  expect(leaf).toBe(join(area.dir, 'r1.g1'));
  expect(createRunLeaf(area.dir, 'r1', 1)).toBe(leaf);
  expect(createRunLeaf(area.dir, 'r1', 2)).toBe(join(area.dir, 'r1.g2'));
  const started = startShape(
    leaf,
    { name: 's', script: 'sleep $N', nonceProcesses: 1, members: 2 },
    areas.home(),
  );
  await waitUntil(() => listCgroupPids(leaf).includes(started.child.pid ?? -1), 10_000);
  const error = (() => {
    try {
      return createRunLeaf(area.dir, 'r1', 1);
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(CgroupError);
  expect(error).toMatchObject({ code: 'E_CGROUP_BUSY', path: leaf });
  expect((error as CgroupError).pids).toContain(started.child.pid);
  expect(() => createRunLeaf(`${area.dir}/missing`, 'r1', 1)).toThrow(
    expect.objectContaining({ code: 'E_CGROUP_NOT_FOUND' }),
  );
});

test('limits: set where the controller exists, a typed error where it does not', () => {
  const area = areas.open();
  const leaf = createRunLeaf(area.dir, 'r1', 1);
  const limits = availableLimits(leaf);
  expect(limits).toEqual({
    pids: area.controllers.enabled.includes('pids'),
    memory: area.controllers.enabled.includes('memory'),
  });
  const cases = [
    {
      has: limits.pids,
      set: (v: number) => {
        setPidsMax(leaf, v);
      },
      file: 'pids.max',
      value: 64,
    },
    {
      has: limits.memory,
      set: (v: number) => {
        setMemoryMax(leaf, v);
      },
      file: 'memory.max',
      value: 64 * 2 ** 20,
    },
  ];
  for (const { has, set, file, value } of cases) {
    if (has) {
      set(value);
      expect(readCgroupFile(leaf, file).trim()).toBe(String(value));
    } else {
      expect(() => {
        set(value);
      }).toThrow(expect.objectContaining({ code: 'E_CGROUP_UNSUPPORTED' }));
      expect(() => {
        set(value);
      }).toThrow(/enforce the limit by sampling/);
    }
  }
  expect(() => {
    setPidsMax(leaf, 0);
  }).toThrow(/Invalid option `maxProcesses`/);
  expect(() => {
    setMemoryMax(leaf, -1);
  }).toThrow(/Invalid option `maxMemoryBytes`/);
});
