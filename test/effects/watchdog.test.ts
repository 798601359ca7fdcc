import { beforeEach, describe, expect, test } from 'vitest';
import type { Clock } from '../../src/support/clock.js';
import { Watchdog } from '../../src/effects/watchdog.js';

interface FakeTimer {
  readonly id: number;
  readonly due: number;
  readonly delay: number;
  readonly callback: () => void;
}

/** A manual clock: time moves only through `advance`/`set`; timers fire in due order. */
class FakeClock implements Clock {
  private time: number;
  private nextId = 1;
  /** Pending timers, sorted by due time, then creation order. */
  timers: FakeTimer[] = [];
  readonly scheduled: number[] = [];
  readonly cleared: unknown[] = [];

  constructor(start: number) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, due: this.time + ms, delay: ms, callback };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.due - b.due || a.id - b.id);
    this.scheduled.push(ms);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.cleared.push(handle);
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Moves time forward by `ms`, firing due timers at their due time, in order. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (
      let next = this.timers[0];
      next !== undefined && next.due <= target;
      next = this.timers[0]
    ) {
      this.timers.shift();
      this.time = next.due;
      next.callback();
    }
    this.time = target;
  }

  /** Jumps to `time` without firing anything (a timer that fires late). */
  set(time: number): void {
    this.time = time;
  }

  /** Fires every pending timer now, whatever their due time. */
  fireAll(): void {
    const due = this.timers;
    this.timers = [];
    for (const timer of due) timer.callback();
  }
}

const T0 = 1_700_000_000_000;
let clock: FakeClock;
let wakes: number[];
let watchdog: Watchdog;

beforeEach(() => {
  clock = new FakeClock(T0);
  wakes = [];
  watchdog = new Watchdog(clock, (now) => wakes.push(now));
});

describe('Watchdog', () => {
  test('wakes once, at the deadline, with the current time', () => {
    watchdog.arm(T0 + 100);
    expect(clock.scheduled).toEqual([100]);
    clock.advance(99);
    expect(wakes).toEqual([]);
    clock.advance(1);
    expect(wakes).toEqual([T0 + 100]);
    clock.advance(1000);
    expect(wakes).toEqual([T0 + 100]);
  });

  test('passes the time of the wake-up, not the deadline, to onWake', () => {
    watchdog.arm(T0 + 100);
    clock.set(T0 + 250); // the timer fires late
    clock.fireAll();
    expect(wakes).toEqual([T0 + 250]);
  });

  test('arming a later (or equal) deadline does not re-arm', () => {
    watchdog.arm(T0 + 100);
    watchdog.arm(T0 + 200);
    watchdog.arm(T0 + 100);
    expect(clock.scheduled).toEqual([100]);
    expect(clock.cleared).toEqual([]);
    expect(clock.timers).toHaveLength(1);
    clock.advance(100);
    // It wakes at the earlier deadline; re-checking and re-arming is the caller's job.
    expect(wakes).toEqual([T0 + 100]);
  });

  test('arming an earlier deadline replaces the timer', () => {
    watchdog.arm(T0 + 200);
    watchdog.arm(T0 + 50);
    expect(clock.scheduled).toEqual([200, 50]);
    expect(clock.cleared).toHaveLength(1);
    expect(clock.timers.map((timer) => timer.due)).toEqual([T0 + 50]);
    clock.advance(1000);
    expect(wakes).toEqual([T0 + 50]);
  });

  test('null disarms', () => {
    watchdog.arm(T0 + 100);
    watchdog.arm(null);
    expect(clock.timers).toEqual([]);
    clock.advance(1000);
    expect(wakes).toEqual([]);
  });

  test('after disarming, a later deadline arms again', () => {
    watchdog.arm(T0 + 100);
    watchdog.disarm();
    watchdog.arm(T0 + 300);
    expect(clock.timers.map((timer) => timer.due)).toEqual([T0 + 300]);
    clock.advance(1000);
    expect(wakes).toEqual([T0 + 300]);
  });

  test('after a wake-up, any deadline arms again (nothing is armed any more)', () => {
    watchdog.arm(T0 + 100);
    clock.advance(100);
    watchdog.arm(T0 + 500);
    expect(clock.timers.map((timer) => timer.due)).toEqual([T0 + 500]);
    clock.advance(1000);
    expect(wakes).toEqual([T0 + 100, T0 + 500]);
  });

  test('onWake may re-arm from inside the wake-up', () => {
    const chained = new Watchdog(clock, (now) => {
      wakes.push(now);
      if (wakes.length < 3) chained.arm(now + 10);
    });
    chained.arm(T0 + 10);
    clock.advance(100);
    expect(wakes).toEqual([T0 + 10, T0 + 20, T0 + 30]);
    expect(clock.timers).toEqual([]);
  });

  test('a deadline already past wakes with no delay', () => {
    watchdog.arm(T0 - 5000);
    expect(clock.scheduled).toEqual([0]);
    clock.advance(0);
    expect(wakes).toEqual([T0]);
  });

  test('a deadline beyond the timer range wakes early, at the maximum delay, to re-check', () => {
    const max = 2 ** 31 - 1;
    watchdog.arm(T0 + max * 3);
    expect(clock.scheduled).toEqual([max]);
    clock.advance(max);
    expect(wakes).toEqual([T0 + max]);
  });

  test('disarm without a timer clears nothing', () => {
    watchdog.disarm();
    watchdog.arm(null);
    expect(clock.cleared).toEqual([]);
  });
});
