// The shared scan: what it leaves out, and that a tick reads each environment and command
// line once per process lifetime (after it settles), not once per tick or per run.
import { describe, expect, test } from 'vitest';
import { createProcScanner } from '../../../src/os/metering/proc-scan.js';
import { measureRunTree } from '../../../src/os/metering/measure-run-tree.js';
import { RUN_MARKER } from '../../../src/os/run-marker.js';
import { FakeProcTable } from './fake-proc.js';

// The fake's uptime is 10,000 s: a process started at tick 100 settled long ago.
const YOUNG = 10_000 * 100 - 50;

describe('what a scan holds', () => {
  test('kernel threads, dying tasks and this process are left out; zombies stay', () => {
    const table = new FakeProcTable();
    table.add({ pid: 2, ppid: 0 });
    table.add({ pid: 40, ppid: 2 });
    table.add({ pid: 41, state: 'X' });
    table.add({ pid: 42, state: 'Z' });
    table.add({ pid: 43 });
    table.add({ pid: process.pid });
    const scan = createProcScanner(table).scan();
    expect([...scan.processes.keys()].sort((a, b) => a - b)).toEqual([42, 43]);
  });

  test('indexes by parent, group and session; marker lookups skip zombies', () => {
    const table = new FakeProcTable();
    table.add({ pid: 10, pgid: 10, sid: 10 }, { [RUN_MARKER]: 'r' });
    table.add({ pid: 11, ppid: 10, pgid: 10, sid: 10 }, { [RUN_MARKER]: 'r' });
    table.add({ pid: 12, ppid: 10, pgid: 12, sid: 10, state: 'Z' }, { [RUN_MARKER]: 'r' });
    const scan = createProcScanner(table).scan();
    expect(scan.childrenOf(10)).toEqual([11, 12]);
    expect(scan.inGroup(10)).toEqual([10, 11]);
    expect(scan.inSession(10)).toEqual([10, 11, 12]);
    expect(scan.marked(RUN_MARKER, 'r')).toEqual([10, 11]);
    expect(scan.marked(RUN_MARKER, 'other')).toEqual([]);
  });
});

describe('reads per tick', () => {
  test('one environment read per process for any number of runs in a scan', () => {
    const table = new FakeProcTable();
    for (let i = 0; i < 50; i++) table.add({ pid: 100 + i }, { [RUN_MARKER]: `run-${i}` });
    const scanner = createProcScanner(table);
    const scan = scanner.scan();
    for (let i = 0; i < 50; i++) {
      const m = measureRunTree(scan, { root: null, marker: `${RUN_MARKER}=run-${i}` });
      expect(m.processes).toBe(1);
    }
    expect(table.reads.environ).toBe(50);
    expect(table.reads.usage).toBe(50);
  });

  test('settled processes are not read again; young ones, an exec and a new pid are', () => {
    const table = new FakeProcTable();
    table.add({ pid: 100 }, { [RUN_MARKER]: 'a' });
    table.add({ pid: 101, startTicks: YOUNG }, { [RUN_MARKER]: 'a' });
    const scanner = createProcScanner(table);
    const query = { root: null, marker: `${RUN_MARKER}=a` };
    const tick = () => measureRunTree(scanner.scan(), query);

    expect(tick().processes).toBe(2);
    expect(table.reads).toMatchObject({ environ: 2, command: 2 });
    tick();
    // Only the young one again.
    expect(table.reads).toMatchObject({ environ: 3, command: 3 });

    // An exec changes comm: environment and command line are read again.
    table.set(100, { comm: 'node' });
    tick();
    expect(table.reads).toMatchObject({ environ: 5, command: 5 });

    // The pid reused by another process (another start time): read again, and the
    // memos of processes that are gone are dropped.
    table.add({ pid: 100, startTicks: 200 }, { [RUN_MARKER]: 'b' });
    table.remove(101);
    expect(tick().processes).toBe(0);
    expect(table.reads).toMatchObject({ environ: 6 });
  });

  test("another user's settled process costs one failed read, not one a tick", () => {
    const table = new FakeProcTable();
    table.add({ pid: 100 });
    table.unreadable.add(100);
    const scanner = createProcScanner(table);
    for (let i = 0; i < 3; i++) scanner.scan().marked(RUN_MARKER, 'a');
    expect(table.reads.environ).toBe(1);
  });

  test('a scan of some pids reads only those', () => {
    const table = new FakeProcTable();
    for (let i = 0; i < 10; i++) table.add({ pid: 100 + i });
    const scan = createProcScanner(table).scanPids([100, 105, 999]);
    expect([...scan.processes.keys()]).toEqual([100, 105]);
    expect(table.reads).toMatchObject({ list: 0, usage: 3 });
  });
});
