// One run's record writes, chained so they land in transition order. Each snapshot is
// written at most once (the write-ahead effect and the snapshot observer both ask for the
// `recording` one), and one superseded by a newer snapshot before its write started is not
// written at all: the record is never older than the state, only fewer times rewritten (a
// boot ending 500 orphans writes `finalizing` once each, not `orphaned` then `finalizing`). Output-only changes are coalesced: written at most once a second. A
// failed write is retried with backoff (each retry writes the latest snapshot, which
// supersedes the lost one) until it lands, so a store that comes back catches up.
import type { RunJournal } from '../persistence/run-journal.js';
import type { Logger } from '../support/logger.js';

// Output offsets and output-based deadlines reach the record at most this much later.
const OUTPUT_WRITE_INTERVAL_MS = 1000;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;

/** One snapshot to write: the actor's snapshot object (its identity), and what is stored. */
export interface RecordCapture {
  readonly snapshot: object;
  readonly persisted: unknown;
  readonly final: boolean;
}

/** What the queue reports about its writes. */
export interface RecordOutcome {
  failed(error: unknown): void;
  /** The write-ahead record failed: the run is refused, its record never exists. */
  refused(error: unknown): void;
  /** A write landed after earlier ones failed. */
  recovered(): void;
}

export class RecordQueue {
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private deferred: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private retryDelay = RETRY_FIRST_MS;
  private lastQueued: object | null = null;
  private queued = 0;
  private landed = 0;
  private readonly waiters: Array<{
    seq: number;
    resolve: () => void;
    reject?: (error: unknown) => void;
  }> = [];
  /** Nothing more is written: the run was refused, or the store is closing. */
  private stopped = false;

  constructor(
    private readonly runId: string,
    private readonly journal: RunJournal,
    /** The run's current snapshot, captured when a write is queued. */
    private readonly capture: () => RecordCapture,
    private readonly logger: Logger,
    private readonly outcome: RecordOutcome,
  ) {}

  /**
   * Resolves once every write queued so far has finished or been superseded by one that
   * finished (never rejects): a skipped write's snapshot lands with a newer one queued after
   * it, so this waits until no write is left in the chain.
   */
  async flush(): Promise<void> {
    let tail: Promise<void>;
    do {
      tail = this.tail;
      await tail;
    } while (tail !== this.tail);
  }

  /** Queues the current snapshot now (unless this very snapshot is queued already). */
  writeNow(): void {
    this.queue(false);
  }

  /**
   * The write-ahead: queues the current snapshot and resolves once it is durable. Rejects
   * if it fails, and nothing is retried or reported: the run is refused by its machine.
   */
  writeAhead(): Promise<void> {
    return new Promise((resolve, reject) => {
      const seq = this.queue(true);
      if (this.stopped) reject(new Error('the record queue is stopped'));
      else this.waiters.push({ seq, resolve, reject });
    });
  }

  /** Resolves once the snapshot current now is durable (after retries), or writes stop. */
  whenDurable(): Promise<void> {
    this.writeNow();
    const seq = this.queued;
    if (this.landed >= seq || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /** Queues the current snapshot again, even if it was written already. */
  rewrite(): void {
    this.lastQueued = null;
    this.writeNow();
  }

  /** Queues a write within a second, unless one is already due. */
  writeSoon(): void {
    if (this.deferred !== null || this.stopped) return;
    this.deferred = setTimeout(() => {
      this.deferred = null;
      this.writeNow();
    }, OUTPUT_WRITE_INTERVAL_MS);
    this.deferred.unref();
  }

  /**
   * Nothing more is written: writes queued before are skipped, a failure of one in flight
   * is not reported, and waiters are released (a refused run; a store that closes).
   */
  stop(): void {
    this.stopped = true;
    this.cancelTimers();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /** Drops pending timers (the run is final: its last record is queued). */
  cancelTimers(): void {
    if (this.deferred !== null) clearTimeout(this.deferred);
    if (this.retry !== null) clearTimeout(this.retry);
    this.deferred = null;
    this.retry = null;
  }

  private queue(ahead: boolean): number {
    if (this.deferred !== null) clearTimeout(this.deferred);
    this.deferred = null;
    const { snapshot, persisted, final } = this.capture();
    // The write-ahead always writes (its outcome decides the run); others skip a snapshot
    // already queued.
    if (this.stopped || (!ahead && snapshot === this.lastQueued)) return this.queued;
    this.lastQueued = snapshot;
    const seq = ++this.queued;
    this.tail = this.tail.then(async () => {
      if (this.stopped) return;
      // Superseded before it started: the newer snapshot queued after it is written instead
      // (its landing releases this one's waiters). The write-ahead always writes.
      if (!ahead && seq < this.queued) return;
      try {
        await this.journal.write(this.runId, persisted, final);
      } catch (error) {
        this.onFailure(error, ahead, seq);
        return;
      }
      this.onLanded(seq);
    });
    return seq;
  }

  private onLanded(seq: number): void {
    this.landed = Math.max(this.landed, seq);
    for (const waiter of [...this.waiters]) {
      if (waiter.seq > this.landed) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    const wasFailing = this.failure !== null;
    this.failure = null;
    this.retryDelay = RETRY_FIRST_MS;
    if (wasFailing) {
      this.logger.info({ runId: this.runId }, 'run record written again');
      this.outcome.recovered();
    }
  }

  private onFailure(error: unknown, ahead: boolean, seq: number): void {
    this.logger.error({ runId: this.runId, err: error }, 'run record write failed');
    if (ahead) {
      this.outcome.refused(error);
      for (const waiter of this.waiters.filter((w) => w.seq === seq)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        // A durability waiter on the same write learns nothing more from it: it is let go.
        if (waiter.reject === undefined) waiter.resolve();
        else waiter.reject(error);
      }
      return;
    }
    if (this.stopped) return;
    this.failure = error;
    this.outcome.failed(error);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retry !== null || this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.failure === null || this.stopped) return;
      // The snapshot may be the one that failed: write it again.
      this.lastQueued = null;
      this.writeNow();
    }, this.retryDelay);
    this.retry.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
  }
}
