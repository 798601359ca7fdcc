// Metering from the kernel's counters: CPU time of the whole tree (exited processes
// included), memory and peaks where the controllers exist, null where they do not.
import { expect } from 'vitest';
import { CgroupError } from '../../../src/errors.js';
import { createRunLeaf } from '../../../src/os/cgroup/cgroup-area.js';
import { hasCgroupFile } from '../../../src/os/cgroup/cgroup-files.js';
import {
  readCgroupCpu,
  readCgroupMemory,
  readCgroupPeak,
} from '../../../src/os/cgroup/cgroup-metering.js';
import { waitCgroupEmpty } from '../../../src/os/cgroup/wait-cgroup.js';
import { cgroupV2Writable } from '../../support/machine-requirements.js';
import { testNeeding } from '../../support/requirements.js';
import { startShape, useCgroupAreas } from './cgroup-fixtures.js';

const test = testNeeding(cgroupV2Writable());
const areas = useCgroupAreas();

test('cpu.stat counts the CPU time of every process that ran in the cgroup', async () => {
  const leaf = createRunLeaf(areas.open().dir, 'm', 1);
  expect(readCgroupCpu(leaf)).toEqual({ usageUsec: 0, userUsec: 0, systemUsec: 0 });
  // A grandchild that spins for a while (counted by work done, not by time), then all exit.
  const script = '(i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done) & wait';
  startShape(leaf, { name: 'spin', script, nonceProcesses: 0, members: 0 }, areas.home());
  await waitCgroupEmpty(leaf, { timeoutMs: 60_000 });
  const cpu = readCgroupCpu(leaf);
  expect(cpu.usageUsec).toBeGreaterThan(10_000);
  expect(cpu.userUsec + cpu.systemUsec).toBeGreaterThan(0);
  expect(cpu.usageUsec).toBeGreaterThanOrEqual(cpu.userUsec);
});

test('memory and peaks are numbers where the controller is enabled, null elsewhere', () => {
  const leaf = createRunLeaf(areas.open().dir, 'm', 1);
  const memory = readCgroupMemory(leaf);
  if (hasCgroupFile(leaf, 'memory.current')) expect(memory).toBeTypeOf('number');
  else expect(memory).toBeNull();
  const peak = readCgroupPeak(leaf);
  expect(peak.memoryBytes === null).toBe(!hasCgroupFile(leaf, 'memory.peak'));
  expect(peak.pids === null).toBe(!hasCgroupFile(leaf, 'pids.peak'));
});

test('reading a cgroup that is gone is a typed error', () => {
  const missing = `${areas.open().dir}/missing`;
  for (const read of [readCgroupCpu, readCgroupMemory, readCgroupPeak]) {
    expect(() => read(missing)).toThrow(CgroupError);
    expect(() => read(missing)).toThrow(expect.objectContaining({ code: 'E_CGROUP_NOT_FOUND' }));
  }
});
