// What the sampler keeps and emits: bounded history, peaks, CPU, cgroup-mode samples, and
// that a failure measuring one run never costs the others theirs. Manual clock, fake table.
import { afterEach, describe, expect, test } from 'vitest';
import { readPageSize } from '../../../src/os/metering/proc-usage.js';
import { RUN_MARKER } from '../../../src/os/run-marker.js';
import { createHarness, DeferredCgroups, settle, stopHarnesses } from './sampler-harness.js';

afterEach(stopHarnesses);

const PAGE = readPageSize();

describe('history and peaks', () => {
  test('the history keeps the last historyLength points; peaks remember the highest', async () => {
    const { sampler, clock, table, addRun } = createHarness({ intervalMs: 100, historyLength: 3 });
    addRun('a', 100);
    const rss = [10, 30, 20, 5, 1];
    const extra = [0, 2, 1, 0, 0];
    for (const [i, pages] of rss.entries()) {
      table.set(100, { rssPages: pages });
      for (let k = 0; k < (extra[i] ?? 0); k++) {
        table.add({ pid: 200 + k, ppid: 100, pgid: 100, sid: 100, rssPages: 0 });
      }
      // The first tick comes at once, then one every 100 ms.
      clock.advance(i === 0 ? 0 : 100);
      await settle();
      for (let k = 0; k < 2; k++) table.remove(200 + k);
    }
    expect(sampler.history('a')).toHaveLength(3);
    const history = sampler.history('a');
    expect(history.map((p) => p.memoryBytes)).toEqual([20 * PAGE, 5 * PAGE, 1 * PAGE]);
    expect(history.map((p) => p.processes)).toEqual([2, 1, 1]);
    const latest = sampler.latest('a');
    expect(latest?.peakMemoryBytes).toBe(30 * PAGE);
    expect(latest?.peakProcesses).toBe(3);
    expect(latest?.memorySource).toBe('rss-sum');
  });

  test('a run whose processes all died samples 0 processes and 0 bytes, keeping its CPU', async () => {
    const { sampler, table, addRun } = createHarness();
    addRun('a', 100);
    table.add({ pid: 101, ppid: 100, pgid: 100, sid: 100, cpuTicks: 30 }, { [RUN_MARKER]: 'a' });
    table.set(100, { cpuTicks: 20 });
    await sampler.sampleNow();
    expect(sampler.latest('a')).toMatchObject({ processes: 2, cpuMs: 500 });
    table.remove(101);
    table.remove(100);
    await sampler.sampleNow();
    expect(sampler.latest('a')).toMatchObject({
      processes: 0,
      zombies: 0,
      memoryBytes: 0,
      members: [],
      cpuMs: 500,
      peakProcesses: 2,
    });
  });

  test('cpuPercent is the CPU used since the last sample over the time between them', async () => {
    const { sampler, clock, table, addRun } = createHarness();
    addRun('a', 100);
    clock.advance(0);
    await settle();
    expect(sampler.latest('a')?.cpuPercent).toBeNull();
    table.set(100, { cpuTicks: 100 }); // 1 s of CPU...
    clock.advance(2000); // ...in 2 s
    await settle();
    expect(sampler.latest('a')).toMatchObject({ cpuMs: 1000, cpuPercent: 50, cpuSource: 'proc' });
  });

  test('tracking a run again (its next generation) keeps history and peaks, CPU restarts', async () => {
    const { sampler, table, addRun } = createHarness();
    addRun('a', 100, 50);
    table.set(100, { cpuTicks: 100 });
    await sampler.sampleNow();
    table.remove(100);
    addRun('a', 300, 5);
    await sampler.sampleNow();
    expect(sampler.history('a')).toHaveLength(2);
    expect(sampler.latest('a')).toMatchObject({
      memoryBytes: 5 * PAGE,
      peakMemoryBytes: 50 * PAGE,
      cpuMs: 0,
      cpuPercent: null,
    });
  });
});

describe('cgroup mode', () => {
  test('CPU from cpu.stat, memory from memory.current, members from cgroup.procs', async () => {
    const { sampler, table } = createHarness({
      readCgroupUsage: () => ({ cpuUsec: 1_234_000, memoryBytes: 7_000_000, pids: [100, 101] }),
    });
    table.add({ pid: 100, rssPages: 10 });
    table.add({ pid: 101, ppid: 100, rssPages: 5, state: 'Z' });
    sampler.track('c', { root: null, cgroupDir: '/cg/c' });
    await sampler.sampleNow();
    expect(sampler.latest('c')).toMatchObject({
      containment: 'cgroup',
      processes: 1,
      zombies: 1,
      cpuMs: 1234,
      cpuSource: 'cpu.stat',
      memoryBytes: 7_000_000,
      memorySource: 'memory.current',
    });
    expect(sampler.latest('c')?.members.map((m) => [m.pid, m.state, m.rssBytes])).toEqual([
      [100, 'S', 10 * PAGE],
      [101, 'Z', 0],
    ]);
    // No marker-mode run: only the cgroup's pids were read, not the whole table.
    expect(table.reads.list).toBe(0);
  });

  test('without the memory controller, memory is the RSS sum; a removed cgroup samples 0', async () => {
    let usage: { cpuUsec: number; memoryBytes: null; pids: number[] } | null = {
      cpuUsec: 9000,
      memoryBytes: null,
      pids: [100],
    };
    const { sampler, table } = createHarness({ readCgroupUsage: () => usage });
    table.add({ pid: 100, rssPages: 10 });
    sampler.track('c', { root: null, cgroupDir: '/cg/c' });
    await sampler.sampleNow();
    expect(sampler.latest('c')).toMatchObject({ memoryBytes: 10 * PAGE, memorySource: 'rss-sum' });
    usage = null;
    await sampler.sampleNow();
    expect(sampler.latest('c')).toMatchObject({ processes: 0, memoryBytes: 0, cpuMs: 9 });
  });
});

describe('one run failing never costs the others', () => {
  test('a cgroup that cannot be read is reported for its run alone', async () => {
    const cgroups = new DeferredCgroups();
    const { sampler, clock, samples, errors, addRun } = createHarness({
      readCgroupUsage: cgroups.read,
    });
    addRun('m', 100);
    sampler.track('bad', { root: null, cgroupDir: '/cg/bad' });
    sampler.track('good', { root: null, cgroupDir: '/cg/good' });
    clock.advance(0);
    cgroups.reject(new Error('EACCES'));
    cgroups.resolve({ cpuUsec: 1, memoryBytes: 1, pids: [] });
    await settle();
    expect(samples.map(([id]) => id).sort()).toEqual(['good', 'm']);
    expect(errors.map(([error, id]) => [(error as Error).message, id])).toEqual([
      ['EACCES', 'bad'],
    ]);
  });

  test('a listener that throws is reported; the other listeners still get the sample', async () => {
    const { sampler, samples, errors, addRun } = createHarness();
    const seen: string[] = [];
    sampler.onSample(() => {
      throw new Error('listener bug');
    });
    sampler.onSample((runId) => seen.push(runId));
    addRun('a', 100);
    await sampler.sampleNow();
    expect(samples).toHaveLength(1);
    expect(seen).toEqual(['a']);
    expect(errors.map(([error, id]) => [(error as Error).message, id])).toEqual([
      ['listener bug', 'a'],
    ]);
  });

  test('a scan that fails is reported once and the sampler goes on', async () => {
    const { clock, table, samples, errors, addRun } = createHarness({ intervalMs: 100 });
    addRun('a', 100);
    table.failList = new Error('EMFILE');
    clock.advance(0);
    await settle();
    expect(errors).toEqual([[table.failList, null]]);
    expect(clock.pending).toBe(1);
    table.failList = null;
    clock.advance(100);
    await settle();
    expect(samples).toHaveLength(1);
  });

  test('a listener removed gets nothing more', async () => {
    const { sampler, samples, addRun } = createHarness();
    const seen: string[] = [];
    const off = sampler.onSample((runId) => seen.push(runId));
    addRun('a', 100);
    await sampler.sampleNow();
    off();
    await sampler.sampleNow();
    expect(samples).toHaveLength(2);
    expect(seen).toEqual(['a']);
  });
});
