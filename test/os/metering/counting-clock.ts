// The manual clock, counting the timers that are pending: the sampler must keep at most one.
import { ManualClock } from '../../support/manual-clock.js';

export class CountingClock extends ManualClock {
  private readonly live = new Set<unknown>();
  /** The delay of every timer set, in order. */
  readonly delays: number[] = [];

  override setTimeout(callback: () => void, ms: number): unknown {
    this.delays.push(ms);
    const handle = super.setTimeout(() => {
      this.live.delete(handle);
      callback();
    }, ms);
    this.live.add(handle);
    return handle;
  }

  override clearTimeout(handle: unknown): void {
    this.live.delete(handle);
    super.clearTimeout(handle);
  }

  /** Timers set and neither fired nor cleared. */
  get pending(): number {
    return this.live.size;
  }

  /** Moves time forward by `ms`. */
  advance(ms: number): void {
    this.advanceTo(this.now() + ms);
  }
}
