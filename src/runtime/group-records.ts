// Group records: one per group (`<name>/group/<path>`), written ahead when the group is
// created and again when what a boot needs changes (its state, its restart history, its
// children). Writes of one group are chained and coalesced (the latest snapshot wins); a
// group that stopped has its record deleted, one released (a `leave`) keeps it. The chain is
// per path and outlives the actor: a group created again at a path after one ended writes
// its record only after the old one's last write and delete.
import type { AnyActorRef } from 'xstate';
import { GROUP_RECORD_SCHEMA_VERSION, type GroupRecord } from '../persistence/group-record.js';
import type { RecordStore } from '../persistence/record-store.js';
import type { Logger } from '../support/logger.js';
import { groupSnapshotOf, recordStateOf, type GroupSnapshot } from './group-info.js';

interface Followed {
  readonly ref: AnyActorRef;
  /** A write is queued behind the one in flight: it will take the latest snapshot. */
  queued: Promise<void> | null;
  last: string | null;
  /**
   * The latest snapshot a record may say: a write queued before a `leave` lands after it,
   * and must record the group as it was before it was handed on (stopping, say), never as
   * released.
   */
  latest: GroupSnapshot | null;
}

export class GroupRecords {
  private readonly groups = new Map<string, Followed>();
  /** Per path: the last write or delete started (settled ones are dropped). */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly waiters = new Map<string, Array<(ref: AnyActorRef) => void>>();

  constructor(
    private readonly store: RecordStore,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /** The group actor at `path`, while it lives. */
  ref(path: string): AnyActorRef | undefined {
    return this.groups.get(path)?.ref;
  }

  /** Resolves with the group actor at `path` once it exists (at once if it does). */
  created(path: string): { ref: Promise<AnyActorRef>; cancel(): void } {
    const existing = this.ref(path);
    if (existing !== undefined) return { ref: Promise.resolve(existing), cancel: () => undefined };
    let resolve: (ref: AnyActorRef) => void = () => undefined;
    const ref = new Promise<AnyActorRef>((done) => (resolve = done));
    const list = this.waiters.get(path) ?? [];
    list.push(resolve);
    this.waiters.set(path, list);
    return {
      ref,
      cancel: () => {
        const left = (this.waiters.get(path) ?? []).filter((waiter) => waiter !== resolve);
        if (left.length === 0) this.waiters.delete(path);
        else this.waiters.set(path, left);
      },
    };
  }

  /** Follows a group actor from its creation: its record follows its snapshots. */
  follow(path: string, ref: AnyActorRef): void {
    const followed: Followed = { ref, queued: null, last: null, latest: null };
    this.groups.set(path, followed);
    for (const waiter of this.waiters.get(path) ?? []) waiter(ref);
    this.waiters.delete(path);
    ref.subscribe({
      next: (snapshot: GroupSnapshot) => {
        const value = snapshot.value;
        // Before its write-ahead, and while a boot rebuilds it, there is nothing new to say.
        if (value === 'created' || value === 'recording' || value === 'restoring') return;
        if (value === 'stopped' || value === 'refused') {
          this.remove(path, followed);
          return;
        }
        // Handed on (a `leave`): the record stays as it was, its runs named in it.
        if (value === 'releasing' || value === 'released') return;
        followed.latest = snapshot;
        const key = JSON.stringify(this.recordOf(snapshot, 0), (k, v: unknown) =>
          k === 'updatedAt' ? undefined : v,
        );
        if (key === followed.last) return;
        followed.last = key;
        this.write(path).catch(() => undefined);
      },
      error: (error: unknown) => {
        this.logger.error({ err: error, group: path }, 'group machine failed');
      },
    });
  }

  /** Writes the group's current record; resolves once it is durable. */
  write(path: string): Promise<void> {
    const followed = this.groups.get(path);
    if (followed === undefined) return Promise.reject(new Error(`group ${path} is not followed`));
    if (followed.queued !== null) return followed.queued;
    const queued = this.chain(path, async () => {
      followed.queued = null;
      // The write-ahead (in `recording`) comes before any snapshot worth following.
      const snapshot = followed.latest ?? groupSnapshotOf(followed.ref);
      const record = this.recordOf(snapshot, this.now());
      await this.store.set(this.store.groupKey(path), record, `write the record of group ${path}`);
    });
    followed.queued = queued;
    queued.catch((error: unknown) => {
      this.logger.warn({ err: error, group: path }, 'could not write a group record');
    });
    return queued;
  }

  /** Every write and delete started so far has landed (or failed). */
  async settled(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  private remove(path: string, followed: Followed): void {
    if (this.groups.get(path) === followed) this.groups.delete(path);
    this.chain(path, () => this.store.delete(this.store.groupKey(path))).catch((error: unknown) => {
      this.logger.warn({ err: error, group: path }, 'could not delete a group record');
    });
  }

  // Runs `work` after everything started for `path` before it, whatever that came to.
  private chain(path: string, work: () => Promise<void>): Promise<void> {
    const next = (this.tails.get(path) ?? Promise.resolve()).catch(() => undefined).then(work);
    const settled = next.catch(() => undefined);
    this.tails.set(path, settled);
    void settled.then(() => {
      if (this.tails.get(path) === settled) this.tails.delete(path);
    });
    return next;
  }

  private recordOf(snapshot: GroupSnapshot, updatedAt: number): GroupRecord {
    const { context } = snapshot;
    return {
      schemaVersion: GROUP_RECORD_SCHEMA_VERSION,
      supervisor: this.store.name,
      path: context.path,
      settings: context.settings,
      createdAt: context.createdAt,
      restartedAt: context.restartedAt,
      restarts: context.restarts,
      state: recordStateOf(snapshot.value),
      children: context.children.map((child) => child.id),
      cancelReason: context.cancelReason,
      updatedAt,
    };
  }
}
