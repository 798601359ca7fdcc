// Reads and edits stored records directly, as a crash or another host would leave them.
import { openStore } from '../../src/persistence/open-store.js';
import { RecordStore } from '../../src/persistence/record-store.js';

/** Opens the default SQLite store of `home` for supervisor `name`, runs `fn`, closes it. */
export async function withRecords<T>(
  home: string,
  fn: (store: RecordStore) => Promise<T>,
  name = 'default',
): Promise<T> {
  const opened = await openStore(undefined, home);
  try {
    return await fn(new RecordStore(opened.keyv, name, () => Date.now()));
  } finally {
    await opened.close();
  }
}

type JsonObject = Record<string, unknown>;

/** Applies `edit` to the stored record of `runId` (a deep JSON copy). */
export async function editRecord(
  home: string,
  runId: string,
  edit: (record: JsonObject) => void,
): Promise<void> {
  await withRecords(home, async (store) => {
    const record = structuredClone((await store.get(store.runKey(runId))) as JsonObject);
    edit(record);
    await store.set(store.runKey(runId), record, 'edit a record');
  });
}

/**
 * Rewrites the record of `runId` as a supervisor that died right after finalizing it would
 * have left it: final, `done`, cancelled by SIGTERM, its exit never collected from a host.
 */
export async function recordAsCancelled(home: string, runId: string): Promise<void> {
  await editRecord(home, runId, (record) => {
    const snapshot = record.snapshot as JsonObject;
    Object.assign(record, { final: true });
    Object.assign(snapshot, { status: 'done', value: 'done' });
    Object.assign(snapshot.context as JsonObject, { endReason: 'cancelled', exit: CANCELLED_EXIT });
  });
}

/** The exit of a run cancelled by SIGTERM, as a record stores it. */
export const CANCELLED_EXIT = {
  reason: 'cancelled',
  exitCode: null,
  signal: 'SIGTERM',
  durationMs: 1,
  timedOut: false,
  noOutputTimedOut: false,
  forced: false,
  error: null,
  survivors: [],
};
