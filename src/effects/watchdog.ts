// One timer per run, armed for the earliest absolute deadline. Output moves deadlines
// later; instead of re-arming on every chunk, an early wake-up just re-checks and re-arms.
import type { Clock } from '../support/clock.js';

// Node timers overflow above 2^31-1 ms and fire at once; wake up and re-check instead.
const MAX_DELAY_MS = 2 ** 31 - 1;

export class Watchdog {
  private timer: unknown = null;
  private armedAt: number | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly onWake: (now: number) => void,
  ) {}

  /** Ensures a wake-up at or before `at`; `null` disarms. */
  arm(at: number | null): void {
    if (at === null) {
      this.disarm();
      return;
    }
    if (this.armedAt !== null && this.armedAt <= at) return;
    this.disarm();
    this.armedAt = at;
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, at - this.clock.now()));
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.armedAt = null;
      this.onWake(this.clock.now());
    }, delay);
  }

  disarm(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.armedAt = null;
  }
}
