// Placing a child in its cgroup before it runs: every process of every escapee shape is in
// the leaf, and the current process is back in its own cgroup afterwards, whether the spawn
// succeeded or threw.
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { createRunLeaf } from '../../../src/os/cgroup/cgroup-area.js';
import { cgroupPathOfDir } from '../../../src/os/cgroup/mount-info.js';
import { readCgroupPathOf } from '../../../src/os/cgroup/own-cgroup.js';
import { spawnInCgroup } from '../../../src/os/cgroup/spawn-in-cgroup.js';
import { listCgroupPids } from '../../../src/os/cgroup/wait-cgroup.js';
import { CgroupError } from '../../../src/errors.js';
import { launchChild } from '../../../src/os/child-process.js';
import { launchPty } from '../../../src/os/pty-process.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';
import { waitUntil } from '../../support/wait-for.js';
import {
  cgroupsOf,
  processesWithNonce,
  SHAPES,
  startShape,
  useCgroupAreas,
} from './cgroup-fixtures.js';

const test = testNeeding(cgroupV2Writable());
const areas = useCgroupAreas();

for (const shape of SHAPES) {
  test(`every process of a child that escapes (${shape.name}) is born in the leaf`, async () => {
    const home = areas.home();
    const leaf = createRunLeaf(areas.open().dir, 'r1', 1);
    const leafPath = cgroupPathOfDir(home.mount, leaf);
    const started = startShape(leaf, shape, home);
    expect(readCgroupPathOf('self')).toBe(home.path);
    const found = await waitUntil(
      () => {
        const pids = processesWithNonce(started.nonce);
        return (
          pids.length === shape.nonceProcesses &&
          listCgroupPids(leaf).length === shape.members &&
          pids
        );
      },
      10_000,
      `${shape.nonceProcesses} processes of "${shape.name}" and ${shape.members} members`,
    );
    // Wherever they went (reparented, new session, empty environment), all are in the leaf.
    expect(cgroupsOf(found)).toEqual(found.map(() => leafPath));
    for (const pid of found) expect(listCgroupPids(leaf)).toContain(pid);
    expect(listCgroupPids(leaf)).toContain(started.child.pid);
  });
}

test('the current process is back in its own cgroup after a spawn, verified', () => {
  const home = areas.home();
  const leaf = createRunLeaf(areas.open().dir, 'r2', 1);
  const seen = spawnInCgroup(leaf, () => readCgroupPathOf('self'), { home });
  expect(seen).toBe(cgroupPathOfDir(home.mount, leaf));
  expect(readCgroupPathOf('self')).toBe(home.path);
  // Without `home`, it is located at the call.
  spawnInCgroup(leaf, () => undefined);
  expect(readCgroupPathOf('self')).toBe(home.path);
  expect(listCgroupPids(leaf)).toEqual([]);
});

test('the current process is back in its own cgroup when the spawn throws', () => {
  const home = areas.home();
  const leaf = createRunLeaf(areas.open().dir, 'r3', 1);
  const failure = new Error('spawn failed');
  expect(() =>
    spawnInCgroup(
      leaf,
      () => {
        throw failure;
      },
      { home },
    ),
  ).toThrow(failure);
  expect(readCgroupPathOf('self')).toBe(home.path);
  // Node's own synchronous refusal (a bad option) is a throw from inside the call too.
  expect(() =>
    spawnInCgroup(leaf, () => spawn('/bin/true', [], { stdio: 'bogus' as 'ignore' }), { home }),
  ).toThrow(TypeError);
  expect(readCgroupPathOf('self')).toBe(home.path);
  expect(listCgroupPids(leaf)).toEqual([]);
});

test('a leaf that does not exist is a typed error, and the process never moved', () => {
  const home = areas.home();
  const missing = `${areas.open().dir}/nope.g1`;
  let called = false;
  const error = (() => {
    try {
      spawnInCgroup(missing, () => (called = true), { home });
      return null;
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(CgroupError);
  expect((error as CgroupError).code).toBe('E_CGROUP_NOT_FOUND');
  expect(called).toBe(false);
  expect(readCgroupPathOf('self')).toBe(home.path);
});

test('a process not in its recorded home is refused before anything moves', () => {
  const home = areas.home();
  const leaf = createRunLeaf(areas.open().dir, 'r4', 1);
  const wrongHome = { ...home, path: `${home.path === '/' ? '' : home.path}/elsewhere` };
  expect(() => {
    spawnInCgroup(leaf, () => undefined, { home: wrongHome });
  }).toThrow(expect.objectContaining({ code: 'E_CGROUP_MOVE' }));
  expect(readCgroupPathOf('self')).toBe(home.path);
  expect(listCgroupPids(leaf)).toEqual([]);
});

test("runwarden's own launchers fork inside the call: node-pty and child_process", async () => {
  const home = areas.home();
  const area = areas.open();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    RUNWARDEN_TEST_SUITE: process.env.RUNWARDEN_TEST_SUITE ?? '',
  };
  const spec = {
    file: '/bin/sleep',
    args: ['600'],
    cwd: '/',
    env,
    cols: 80,
    rows: 24,
    stdin: 'ignore',
  } as const;
  const ptyLeaf = createRunLeaf(area.dir, 'pty', 1);
  const pty = spawnInCgroup(ptyLeaf, () => launchPty(spec), { home });
  const childLeaf = createRunLeaf(area.dir, 'child', 1);
  const child = await spawnInCgroup(childLeaf, () => launchChild(spec), { home });
  expect(readCgroupPathOf('self')).toBe(home.path);
  expect(readCgroupPathOf(pty.pid)).toBe(cgroupPathOfDir(home.mount, ptyLeaf));
  expect(readCgroupPathOf(child.pid)).toBe(cgroupPathOfDir(home.mount, childLeaf));
  // Both end with the area (cgroup.kill in the cleanup).
});
