// The suite's cgroup leak check (test/support/global-cgroup-check.ts) takes every cgroup
// left below the suite's cgroup as a leak: it ends its processes (an env -i escapee
// included), removes it, and fails. Run here on one test's own area, so no other test's live
// cgroups are ever touched.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { createRunLeaf } from '../../../src/os/cgroup/cgroup-area.js';
import { locateOwnCgroup } from '../../../src/os/cgroup/own-cgroup.js';
import { listCgroupPids } from '../../../src/os/cgroup/wait-cgroup.js';
import {
  checkCgroupLeaks,
  runCgroupCheck,
  suiteTag,
  testSupervisorName,
} from '../../support/global-cgroup-check.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';
import { waitUntil } from '../../support/wait-for.js';
import { processesWithNonce, startShape, useCgroupAreas } from './cgroup-fixtures.js';

const test = testNeeding(cgroupV2Writable());
const areas = useCgroupAreas();
const reports: string[] = [];
afterEach(() => {
  for (const dir of reports.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test("test supervisor names carry the suite's tag", () => {
  expect(testSupervisorName()).toMatch(/^rwtest-[0-9a-f]{8}-[0-9a-f]{12}$/);
  expect(suiteTag('3c3d9c90-1234-4abc-8def-001122334455')).toBe('3c3d9c90');
  expect(suiteTag('')).toBe('nosuite0');
  expect(suiteTag('not-hex')).toBe('nosuite0');
});

test('a leftover cgroup is found, its tree ended, removed, and the run fails', async () => {
  // The check runs on this test's own area: what is left below it is the leak.
  const area = areas.open();
  const leaf = createRunLeaf(area.dir, 'leak', 1);
  createRunLeaf(leaf, 'nested', 1);
  const shape = {
    name: 'escapee',
    script: '(setsid env -i /bin/sleep $N &); sleep $N',
    nonceProcesses: 2,
    members: 3,
  };
  const started = startShape(leaf, shape, locateOwnCgroup());
  await waitUntil(() => listCgroupPids(leaf).length === 3, 10_000, 'three members');
  const pids = listCgroupPids(leaf);
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-cgroup-report-'));
  reports.push(dir);
  const reportPath = join(dir, 'report.json');
  const exitCode = process.exitCode;
  try {
    // It fails the run without throwing (a throw would skip the process leak check).
    await runCgroupCheck(area.dir, reportPath);
    expect(process.exitCode).toBe(1);
  } finally {
    process.exitCode = exitCode;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as unknown;
  expect(report).toEqual({
    checked: true,
    root: area.dir,
    leaked: [{ path: leaf, pids, below: ['nested.g1'], removed: 'removed' }],
  });
  expect(existsSync(leaf)).toBe(false);
  expect(processesWithNonce(started.nonce)).toEqual([]);
  await started.exited;
});

test('nothing left: an empty report and no failure', async () => {
  const area = areas.open();
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-cgroup-report-'));
  reports.push(dir);
  await runCgroupCheck(area.dir, join(dir, 'report.json'));
  expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual({
    checked: true,
    root: area.dir,
    leaked: [],
  });
  expect(await checkCgroupLeaks(area.dir)).toEqual({ checked: true, root: area.dir, leaked: [] });
  expect(existsSync(area.dir)).toBe(true);
});

test('an empty leftover (a crashed supervisor’s area) is tidied, not a failure', async () => {
  const area = areas.open();
  const leaf = createRunLeaf(area.dir, 'crashed', 1);
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-cgroup-report-'));
  reports.push(dir);
  const exitCode = process.exitCode;
  await runCgroupCheck(area.dir, join(dir, 'report.json'));
  expect(process.exitCode).toBe(exitCode);
  expect(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'))).toEqual({
    checked: true,
    root: area.dir,
    leaked: [],
    tidied: [leaf],
  });
  expect(existsSync(leaf)).toBe(false);
});
