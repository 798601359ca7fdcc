// Whether the store keeps up with the runs. `degraded` while the store is unreachable (a
// failed write, or a failed probe: one read a second) or while any run's latest record is
// not written yet; `ok` once the store answers again and every lagging run caught up (the
// record queues retry on their own).
import { toErrorInfo } from '../errors.js';
import type { RunErrorInfo } from '../types.js';

/** The supervisor's view of its store. */
export interface StoreHealthInfo {
  readonly state: 'ok' | 'degraded';
  /** When the current state began (epoch ms). */
  readonly since: number;
  /** The last store error while degraded. */
  readonly lastError: RunErrorInfo | null;
  /** Runs whose latest record is not in the store yet. */
  readonly laggingRuns: readonly string[];
}

const PROBE_INTERVAL_MS = 1000;

export class StoreHealth {
  private readonly lagging = new Set<string>();
  private unreachable = false;
  private lastError: RunErrorInfo | null = null;
  private since: number;
  private state: 'ok' | 'degraded' = 'ok';
  private timer: NodeJS.Timeout | null = null;
  private probing = false;

  constructor(
    private readonly now: () => number,
    /** One cheap round trip to the store; rejects when it is unreachable. */
    private readonly probe: () => Promise<unknown>,
    private readonly onChange: (info: StoreHealthInfo) => void,
  ) {
    this.since = now();
  }

  /** Starts probing the store once a second (the timer never keeps the process alive). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      void this.check();
    }, PROBE_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  info(): StoreHealthInfo {
    return {
      state: this.state,
      since: this.since,
      lastError: this.lastError,
      laggingRuns: [...this.lagging],
    };
  }

  /** A record write of `runId` failed. */
  failed(runId: string, error: RunErrorInfo): void {
    this.lagging.add(runId);
    this.fail(error);
  }

  /** The store refused something that belongs to no run (a write-ahead that never landed). */
  refused(error: RunErrorInfo): void {
    this.fail(error);
  }

  /** A record write of `runId` landed (or the run needs none any more). */
  caughtUp(runId: string): void {
    this.lagging.delete(runId);
    this.update();
  }

  /** Probes now; resolves once the state is up to date. */
  async check(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.probe();
      this.unreachable = false;
    } catch (error) {
      this.unreachable = true;
      this.lastError = toErrorInfo(error, 'E_STORE_READ');
    } finally {
      this.probing = false;
    }
    this.update();
  }

  private fail(error: RunErrorInfo): void {
    this.unreachable = true;
    this.lastError = error;
    this.update();
  }

  private update(): void {
    const state = this.unreachable || this.lagging.size > 0 ? 'degraded' : 'ok';
    if (state === this.state) return;
    this.state = state;
    if (state === 'ok') this.lastError = null;
    this.since = this.now();
    this.onChange(this.info());
  }
}
