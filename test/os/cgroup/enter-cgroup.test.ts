// A process that places ITSELF: enterCgroup (a run host), moveToDaemonLeaf (a daemon making
// room for controllers). Each runs in its own node process, started in a leaf of a test area,
// so the test's worker never moves.
import { join } from 'node:path';
import { expect } from 'vitest';
import { createRunLeaf } from '../../../src/os/cgroup/cgroup-area.js';
import { cgroupPathOfDir } from '../../../src/os/cgroup/mount-info.js';
import { spawnInCgroup } from '../../../src/os/cgroup/spawn-in-cgroup.js';
import { listCgroupPids } from '../../../src/os/cgroup/wait-cgroup.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';
import { runCgroupScript } from './cgroup-script.js';
import { useCgroupAreas } from './cgroup-fixtures.js';

const test = testNeeding(cgroupV2Writable());
const areas = useCgroupAreas();

test('enterCgroup moves the process itself, verified, and reports where from', async () => {
  const home = areas.home();
  const area = areas.open();
  const start = createRunLeaf(area.dir, 'start', 1);
  const target = createRunLeaf(area.dir, 'target', 1);
  const body = `
import { enterCgroup } from './cgroup/spawn-in-cgroup.js';
import { readCgroupPathOf } from './cgroup/own-cgroup.js';
const entered = enterCgroup(INPUT.target);
let missing;
try { enterCgroup(INPUT.target + '/missing'); } catch (error) { missing = error.code; }
console.log(JSON.stringify({ entered, now: readCgroupPathOf('self'), missing }));
`;
  const result = await runCgroupScript(
    body,
    { target },
    {
      asNobody: false,
      place: (run) => spawnInCgroup(start, run, { home }),
    },
  );
  const targetPath = cgroupPathOfDir(home.mount, target);
  expect(result).toEqual({
    entered: { from: cgroupPathOfDir(home.mount, start), to: targetPath },
    now: targetPath,
    missing: 'E_CGROUP_NOT_FOUND',
  });
});

test('moveToDaemonLeaf empties the own cgroup, reports what it did, and is idempotent', async () => {
  const home = areas.home();
  const own = createRunLeaf(areas.open().dir, 'daemon', 1);
  const body = `
import { moveToDaemonLeaf } from './cgroup/daemon-leaf.js';
import { readCgroupPathOf } from './cgroup/own-cgroup.js';
const first = moveToDaemonLeaf();
const afterFirst = readCgroupPathOf('self');
const second = moveToDaemonLeaf();
console.log(JSON.stringify({ first, afterFirst, second, pid: process.pid }));
`;
  const result = (await runCgroupScript(body, null, {
    asNobody: false,
    place: (run) => spawnInCgroup(own, run, { home }),
  })) as Record<string, Record<string, unknown> | string | number>;
  const ownPath = cgroupPathOfDir(home.mount, own);
  const leaf = join(own, 'runwarden-daemon');
  const base = { mount: home.mount, path: ownPath, dir: own };
  expect(result.first).toMatchObject({ base, leaf, moved: true, stillInBase: [] });
  expect(result.afterFirst).toBe(`${String(ownPath)}/runwarden-daemon`);
  expect(result.second).toMatchObject({ base, leaf, moved: false, stillInBase: [] });
  // The controllers report: each of pids and memory is enabled, unavailable or failed.
  const report = (result.first as { controllers: Record<string, unknown[]> }).controllers;
  const named = [
    ...(report.enabled ?? []),
    ...(report.unavailable ?? []),
    ...(report.failed ?? []).map((f) => (f as { controller: string }).controller),
  ];
  expect(named.sort()).toEqual(['memory', 'pids']);
  expect(listCgroupPids(own)).toEqual([]);
});
