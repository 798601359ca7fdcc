// One run's record writes, chained so they land in transition order. Output-only changes
// are coalesced: written at most once a second (and once more after the last chunk).
import type { RunJournal } from '../persistence/run-journal.js';
import type { Logger } from './logger.js';

// Output offsets and output-based deadlines reach the record at most this much later.
const OUTPUT_WRITE_INTERVAL_MS = 1000;

/** What is written: the snapshot and whether the run is final. */
export interface RecordSource {
  /** The current persisted snapshot, its state name, and whether it is final. */
  capture(): { snapshot: unknown; state: string; final: boolean };
  /** False once the run must not be written any more (released). */
  writable(): boolean;
}

export class RecordQueue {
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private deferred: NodeJS.Timeout | null = null;
  private queuedState: string | null = null;

  constructor(
    private readonly runId: string,
    private readonly journal: RunJournal,
    private readonly source: RecordSource,
    private readonly logger: Logger,
    private readonly onFailure: (error: unknown) => void = () => undefined,
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
      .then(() => this.journal.write(this.runId, snapshot, final))
      .then(
        () => {
          this.failure = null;
        },
        (error: unknown) => {
          this.failure = error;
          this.logger.error({ runId: this.runId, err: error }, 'run record write failed');
          this.onFailure(error);
        },
      );
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
