// Run records, group records, quarantine and the owner lease, all through one Keyv instance.
// Keys are grouped by supervisor name: `<name>/run/<id>`, `<name>/group/<path>`,
// `<name>/quarantine/<id>`, `<name>/lease/<host>`.
import type Keyv from 'keyv';
import { StoreError } from '../errors.js';
import type { RunJournal } from './run-journal.js';
import { QUARANTINE_SCHEMA_VERSION } from './migrations/stored-kinds.js';
import { createRunRecord, type RunRecord } from './run-record.js';
import { WriteBatcher } from './write-batcher.js';

/** A raw entry read back from the store, not yet validated. */
export interface StoredEntry {
  readonly runId: string;
  readonly value: unknown;
}

/** Every run record and quarantine entry of one supervisor name, raw. */
export interface StoredEntries {
  readonly runs: StoredEntry[];
  readonly quarantined: StoredEntry[];
  /** Group records, keyed by path (`runId` holds the path). */
  readonly groups: StoredEntry[];
}

export class RecordStore implements RunJournal {
  /** Record writes of many runs at once share a statement (group commit). */
  private readonly batcher: WriteBatcher;

  constructor(
    readonly keyv: Keyv,
    readonly name: string,
    private readonly now: () => number,
    /** Where the records live (credentials removed), for locks and messages. */
    readonly location = 'keyv instance',
  ) {
    this.batcher = new WriteBatcher(keyv);
  }

  /** A key only ever read: the store health probe. */
  healthKey(): string {
    return `${this.name}/health`;
  }

  runKey(runId: string): string {
    return `${this.name}/run/${runId}`;
  }

  async write(runId: string, snapshot: unknown, final: boolean): Promise<void> {
    const record = createRunRecord(this.name, runId, snapshot, final, this.now());
    try {
      await this.batcher.write(this.runKey(runId), record);
    } catch (error) {
      throw writeError(`write the record of run ${runId}`, error);
    }
  }

  groupKey(path: string): string {
    return `${this.name}/group/${path}`;
  }

  /** A group record whose value cannot be used is moved here, never overwritten. */
  groupQuarantineKey(path: string): string {
    return `${this.name}/quarantine-group/${path}`;
  }

  quarantineKey(runId: string): string {
    return `${this.name}/quarantine/${runId}`;
  }

  /** Writes a record as it is (a migrated one, written back): its `updatedAt` is kept. */
  async writeBack(record: RunRecord): Promise<void> {
    await this.set(
      this.runKey(record.runId),
      record,
      `write back the record of run ${record.runId}`,
    );
  }

  /** Reads every run record of this supervisor name. */
  async readAll(): Promise<StoredEntry[]> {
    return (await this.readStored()).runs;
  }

  /**
   * Reads every run record and quarantine entry of this supervisor name in one pass.
   * Collects first: never mutates while paging.
   */
  async readStored(): Promise<StoredEntries> {
    if (typeof this.keyv.iterator !== 'function') {
      throw new StoreError(
        'E_STORE_NOT_ITERABLE',
        'the Keyv store cannot be iterated; use sqlite://, redis://, postgres:// or an in-memory Keyv',
      );
    }
    const runPrefix = this.runKey('');
    const quarantinePrefix = this.quarantineKey('');
    const groupPrefix = this.groupKey('');
    const entries: StoredEntries = { runs: [], quarantined: [], groups: [] };
    try {
      for await (const [key, value] of this.keyv.iterator(undefined)) {
        if (typeof key !== 'string') continue;
        if (key.startsWith(runPrefix)) {
          entries.runs.push({ runId: key.slice(runPrefix.length), value });
        } else if (key.startsWith(quarantinePrefix)) {
          entries.quarantined.push({ runId: key.slice(quarantinePrefix.length), value });
        } else if (key.startsWith(groupPrefix)) {
          entries.groups.push({ runId: key.slice(groupPrefix.length), value });
        }
      }
    } catch (error) {
      throw new StoreError('E_STORE_READ', `could not read run records: ${messageOf(error)}`, {
        cause: error,
      });
    }
    return entries;
  }

  /** Moves an unusable record aside with the reason, so boot can go on and nothing is lost. */
  async quarantine(runId: string, value: unknown, reason: string): Promise<void> {
    const key = this.quarantineKey(runId);
    // An entry already under this id (an earlier quarantine) is kept inside the new one.
    const previous: unknown = await this.get(key);
    await this.set(
      key,
      {
        schemaVersion: QUARANTINE_SCHEMA_VERSION,
        reason,
        quarantinedAt: this.now(),
        value,
        ...(previous === undefined ? {} : { previous }),
      },
      `quarantine the record of run ${runId}`,
    );
    await this.delete(this.runKey(runId));
  }

  async delete(key: string): Promise<void> {
    try {
      await this.keyv.delete(key);
    } catch (error) {
      throw writeError(`delete ${key}`, error);
    }
  }

  async get(key: string): Promise<unknown> {
    try {
      return await this.keyv.get(key);
    } catch (error) {
      throw new StoreError('E_STORE_READ', `could not read ${key}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  async set(key: string, value: unknown, what: string): Promise<void> {
    let stored: boolean;
    try {
      stored = await this.keyv.set(key, value);
    } catch (error) {
      throw writeError(what, error);
    }
    // A Keyv that does not throw on errors reports them as `false`.
    if (!stored) throw new StoreError('E_STORE_WRITE', `could not ${what}: the store refused it`);
  }
}

function writeError(what: string, cause: unknown): StoreError {
  return new StoreError('E_STORE_WRITE', `could not ${what}: ${messageOf(cause)}`, { cause });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
