// Group commit for record writes. A write issued while none is in flight goes out at once,
// alone (no added latency); writes issued while one is in flight wait for it and then go
// out together, as one `setMany` (one statement, one transaction on SQLite). A boot that
// ends 500 orphans writes 1,000 records in a handful of statements instead of 1,000.
// Each write still resolves only once its own value is stored, and fails if its batch fails.
import type Keyv from 'keyv';

// Bounds one statement (SQLite binds two parameters per row).
const MAX_BATCH = 250;

interface Pending {
  value: unknown;
  readonly waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

export class WriteBatcher {
  private pending = new Map<string, Pending>();
  private inFlight = false;

  constructor(private readonly keyv: Keyv) {}

  /** Stores `value` under `key`; resolves once stored. A later write of the same key still
   * waiting replaces this value (records supersede each other) and both resolve with it. */
  write(key: string, value: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting === undefined) this.pending.set(key, { value, waiters: [{ resolve, reject }] });
      else {
        waiting.value = value;
        waiting.waiters.push({ resolve, reject });
      }
      if (!this.inFlight) this.flush();
    });
  }

  private flush(): void {
    const batch = [...this.pending.entries()].slice(0, MAX_BATCH);
    if (batch.length === 0) return;
    for (const [key] of batch) this.pending.delete(key);
    this.inFlight = true;
    void this.store(batch).finally(() => {
      this.inFlight = false;
      this.flush();
    });
  }

  private async store(batch: Array<[string, Pending]>): Promise<void> {
    // Per entry, `false` where a Keyv that does not throw on errors refused it. An adapter's
    // own setMany may return nothing: it throws when it fails.
    let results: readonly unknown[] | undefined;
    const [first] = batch;
    try {
      if (first !== undefined && batch.length === 1)
        results = [await this.keyv.set(first[0], first[1].value)];
      else {
        const many: unknown = await this.keyv.setMany(
          batch.map(([key, entry]) => ({ key, value: entry.value })),
        );
        results = Array.isArray(many) ? many : undefined;
      }
    } catch (error) {
      for (const [, entry] of batch) for (const waiter of entry.waiters) waiter.reject(error);
      return;
    }
    batch.forEach(([key, entry], index) => {
      const stored = results?.[index] !== false;
      for (const waiter of entry.waiters) {
        if (stored) waiter.resolve();
        else waiter.reject(new RefusedWrite(key));
      }
    });
  }
}

/** The store answered `false` for this key: it did not store it. */
export class RefusedWrite extends Error {
  constructor(readonly key: string) {
    super('the store refused it');
    this.name = 'RefusedWrite';
  }
}
