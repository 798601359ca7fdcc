// A clock that only moves when the test says so: deadlines fire deterministically while
// processes stay real.
import type { Clock } from '../../src/index.js';

export class ManualClock implements Clock {
  private current: number;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  private nextId = 1;

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Moves time to `at` (never backwards), firing every timer due on the way, in order. */
  advanceTo(at: number): void {
    this.current = Math.max(this.current, at);
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at <= this.current && (due === undefined || entry[1].at < due[1].at))
          due = entry;
      }
      if (due === undefined) return;
      this.timers.delete(due[0]);
      due[1].callback();
    }
  }
}
