// One run's record writes, chained so they land in transition order. Output-only changes
// are coalesced: written at most once a second (and once more after the last chunk). A
// failed write is retried with backoff (each retry writes the latest snapshot, which
// supersedes the lost one) until it lands, so a store that comes back catches up.
import type { RunJournal } from '../persistence/run-journal.js';
import type { Logger } from '../support/logger.js';

// Output offsets and output-based deadlines reach the record at most this much later.
const OUTPUT_WRITE_INTERVAL_MS = 1000;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;

/** What is written: the snapshot and whether the run is final. */
export interface RecordSource {
  /** The current persisted snapshot, its state name, and whether it is final. */
  capture(): { snapshot: unknown; state: string; final: boolean };
  /** False once the run must not be written any more (released). */
  writable(): boolean;
  /** False once nothing more may be written at all, not even a retry (released, discarded). */
  retryable(): boolean;
}

/** What the queue reports about its writes. */
export interface RecordOutcome {
  failed(error: unknown): void;
  /** A write landed after earlier ones failed. */
  recovered(): void;
}

export class RecordQueue {
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private deferred: NodeJS.Timeout | null = null;
  private queuedState: string | null = null;
  private retry: NodeJS.Timeout | null = null;
  private retryDelay = RETRY_FIRST_MS;
  /** Nothing more is written, not even what was queued before (see `drop`). */
  private dropped = false;

  constructor(
    private readonly runId: string,
    private readonly journal: RunJournal,
    private readonly source: RecordSource,
    private readonly logger: Logger,
    private readonly outcome: RecordOutcome = {
      failed: () => undefined,
      recovered: () => undefined,
    },
  ) {}

  /** The state of the last record queued. */
  get lastQueuedState(): string | null {
    return this.queuedState;
  }

  /** The error of the last write, or null if it succeeded. */
  get lastError(): unknown {
    return this.failure;
  }

  /** Resolves once every write queued so far has finished (never rejects). */
  flush(): Promise<void> {
    return this.tail;
  }

  /** Queues the current snapshot now. */
  writeNow(): void {
    this.cancelDeferred();
    const { snapshot, state, final } = this.source.capture();
    this.queuedState = state;
    this.tail = this.tail
      .then(async () => {
        if (this.dropped) return 'skipped';
        await this.journal.write(this.runId, snapshot, final);
        return 'written';
      })
      .then(
        (outcome) => {
          // A write skipped for a dropped run proves nothing about the store.
          if (outcome === 'skipped') return;
          const wasFailing = this.failure !== null;
          this.failure = null;
          this.retryDelay = RETRY_FIRST_MS;
          if (wasFailing) {
            this.logger.info({ runId: this.runId }, 'run record written again');
            this.outcome.recovered();
          }
        },
        (error: unknown) => {
          this.failure = error;
          this.logger.error({ runId: this.runId, err: error }, 'run record write failed');
          // A write in flight when the run was dropped: it lags behind nothing any more.
          if (this.dropped) return;
          this.outcome.failed(error);
          this.scheduleRetry();
        },
      );
  }

  /**
   * The run must never get a record (its write-ahead failed and the spawn was refused):
   * writes queued before (a retry, its final state) are skipped, and a failure of one in
   * flight is not reported, so it cannot mark the forgotten run as lagging for good.
   */
  drop(): void {
    this.dropped = true;
    this.stopRetrying();
  }

  /** Stops retrying (the run was released or discarded). */
  stopRetrying(): void {
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
  }

  private scheduleRetry(): void {
    if (this.retry !== null || !this.source.retryable()) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.failure !== null && this.source.retryable()) this.writeNow();
    }, this.retryDelay);
    this.retry.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, RETRY_MAX_MS);
  }

  /** Queues a write within a second, unless one is already due. */
  writeSoon(): void {
    if (this.deferred !== null) return;
    this.deferred = setTimeout(() => {
      this.deferred = null;
      if (this.source.writable()) this.writeNow();
    }, OUTPUT_WRITE_INTERVAL_MS);
    this.deferred.unref();
  }

  cancelDeferred(): void {
    if (this.deferred !== null) clearTimeout(this.deferred);
    this.deferred = null;
  }
}
