// The marker-mode CPU account: what a process that leaves the tree takes with it, and the
// ring buffer behind the history.
import { describe, expect, test } from 'vitest';
import { CpuLedger } from '../../../src/os/metering/cpu-ledger.js';
import type { MeteredProcess } from '../../../src/os/metering/metering-types.js';
import { RingBuffer } from '../../../src/os/metering/ring-buffer.js';

function proc(pid: number, ppid: number, cpuMs: number): MeteredProcess {
  const comm = `p${pid}`;
  return {
    pid,
    ppid,
    startTicks: pid,
    state: 'S',
    comm,
    command: comm,
    rssBytes: 0,
    cpuMs,
    threads: 1,
  };
}

describe('CpuLedger', () => {
  test('a child reaped by a member is counted once: in its parent, not again', () => {
    const ledger = new CpuLedger();
    expect(ledger.account([proc(1, 0, 100), proc(2, 1, 50)])).toBe(150);
    // The parent waited for it: its cutime now holds the child's 60 ms.
    expect(ledger.account([proc(1, 0, 160)])).toBe(160);
  });

  test('a process reaped outside the tree leaves its last-seen CPU behind', () => {
    const ledger = new CpuLedger();
    // 3 was reparented to init (ppid 1 is no member), then died.
    expect(ledger.account([proc(10, 0, 100), proc(3, 1, 70)])).toBe(170);
    expect(ledger.account([proc(10, 0, 110)])).toBe(180);
    // The root itself goes (the supervisor reaps it): all of it stays.
    expect(ledger.account([])).toBe(180);
  });

  test('never decreases, even when a member loses what it had counted', () => {
    const ledger = new CpuLedger();
    expect(ledger.account([proc(1, 0, 100), proc(2, 1, 50)])).toBe(150);
    // 2 was auto-reaped (its parent ignores SIGCHLD): nobody adds it to cutime.
    expect(ledger.account([proc(1, 0, 100)])).toBe(150);
    expect(ledger.account([proc(1, 0, 120)])).toBe(150);
    expect(ledger.account([proc(1, 0, 200)])).toBe(200);
  });
});

describe('RingBuffer', () => {
  test('keeps the last entries, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    expect(ring.toArray()).toEqual([]);
    for (let i = 1; i <= 2; i++) ring.push(i);
    expect(ring.toArray()).toEqual([1, 2]);
    for (let i = 3; i <= 7; i++) ring.push(i);
    expect(ring.toArray()).toEqual([5, 6, 7]);
    expect(ring.size).toBe(3);
  });
});
