// Shared by the regression tests of issue 15's defects: a real SQLite store the test can make
// fail or hold (handed to the supervisor as its Keyv, as any caller may), records read back
// behind the supervisor's back, and a last sweep that ends whatever a failing test left.
import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import { createSupervisor, RUN_MARKER, type Supervisor } from '../../../src/index.js';
import { openStore } from '../../../src/persistence/open-store.js';
import type { ProcessIdentity } from '../../../src/os/process-identity.js';
import { signalVerified } from '../../../src/os/signal-verified.js';
import { terminateRunTree } from '../../../src/os/terminate-run-tree.js';
import { liveMarked } from '../../support/process-checks.js';
import { withRecords } from '../../support/record-editor.js';
import { liveRunHosts } from '../../support/run-hosts.js';
import { waitUntil } from '../../support/wait-for.js';

/** A supervisor name of its own: a caller's Keyv is locked host-wide by name alone. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A run record as these tests read it back from the store. */
export interface StoredRun {
  readonly final: boolean;
  readonly snapshot: {
    readonly value: string;
    readonly context: {
      readonly pid: number | null;
      readonly identity: ProcessIdentity | null;
      readonly outputBytes: number;
      readonly exit: { readonly reason: string } | null;
    };
  };
}

/** Every run record of supervisor `name` in `home`, read through a connection of its own. */
export async function storedRuns(home: string, name: string): Promise<Map<string, StoredRun>> {
  const entries = await withRecords(home, (store) => store.readAll(), name);
  return new Map(entries.map((entry) => [entry.runId, entry.value as StoredRun]));
}

/** The record of one run, or undefined. */
export async function storedRun(
  home: string,
  name: string,
  runId: string,
): Promise<StoredRun | undefined> {
  return withRecords(home, async (store) => store.get(store.runKey(runId)), name) as Promise<
    StoredRun | undefined
  >;
}

/** The run ids a supervisor announces (`run.state`), in order of first appearance. */
export function trackRunIds(sup: Supervisor, into: Set<string>): void {
  sup.onEvent((event) => {
    if (event.type === 'run.state') into.add(event.runId);
  });
}

/**
 * The SQLite store of `home` (the file a supervisor opens by default), opened by the test
 * and handed to the supervisor as its Keyv. Each hook sees the supervisor's own keys
 * (`<name>/run/<id>`, `<name>/lease/<host>`...); a hook that throws fails that operation.
 */
export interface FaultyStore {
  readonly keyv: Keyv;
  /** Before each write (a `set`, or each entry of a `setMany`). */
  beforeWrite: (key: string, value: unknown) => void;
  /** After a write landed. */
  afterWrite: (key: string, value: unknown) => void;
  /** Before each read. */
  beforeRead: (key: string) => void;
  /** Awaited before each delete. */
  beforeDelete: (key: string) => Promise<void> | void;
  /** After a delete finished (landed or failed). */
  afterDelete: (key: string) => void;
  /** Operations the supervisor started on the store that have not finished yet. */
  readonly inFlight: number;
  /** Closes the store once whatever is in flight settled (once: later calls share it). */
  close(): Promise<void>;
}

export async function openFaultyStore(home: string): Promise<FaultyStore> {
  const opened = await openStore(undefined, home);
  const keyv = opened.keyv;
  const real = {
    get: keyv.get.bind(keyv),
    set: keyv.set.bind(keyv),
    setMany: keyv.setMany.bind(keyv),
    delete: keyv.delete.bind(keyv),
  };
  const pending = new Set<Promise<unknown>>();
  let closing: Promise<void> | null = null;
  const track = <T>(operation: Promise<T>): Promise<T> => {
    pending.add(operation);
    const done = () => pending.delete(operation);
    operation.then(done, done);
    return operation;
  };
  const store: FaultyStore = {
    keyv,
    beforeWrite: () => undefined,
    afterWrite: () => undefined,
    beforeRead: () => undefined,
    beforeDelete: () => undefined,
    afterDelete: () => undefined,
    get inFlight() {
      return pending.size;
    },
    close: () =>
      (closing ??= (async () => {
        await Promise.allSettled([...pending]);
        await opened.close();
      })()),
  };
  Object.assign(keyv, {
    get: (key: string) =>
      track(
        (async () => {
          store.beforeRead(key);
          return (await real.get(key)) as unknown;
        })(),
      ),
    set: (key: string, value: unknown) =>
      track(
        (async () => {
          store.beforeWrite(key, value);
          const stored = await real.set(key, value);
          store.afterWrite(key, value);
          return stored;
        })(),
      ),
    setMany: (entries: Array<{ key: string; value: unknown }>) =>
      track(
        (async () => {
          for (const entry of entries) store.beforeWrite(entry.key, entry.value);
          const stored = await real.setMany(entries);
          for (const entry of entries) store.afterWrite(entry.key, entry.value);
          return stored;
        })(),
      ),
    delete: (key: string) =>
      track(
        (async () => {
          try {
            await store.beforeDelete(key);
            return await real.delete(key);
          } finally {
            store.afterDelete(key);
          }
        })(),
      ),
  });
  return store;
}

/** The state a run record was written in (`undefined` for any other value). */
export function recordState(value: unknown): string | undefined {
  const state = (value as { snapshot?: { value?: unknown } } | null)?.snapshot?.value;
  return typeof state === 'string' ? state : undefined;
}

/**
 * The last resort of every test here, whatever it proved: a supervisor booted on the home
 * (policy `kill`) ends what the records name, then anything still carrying one of `runIds`
 * is ended by marker, and a run host still holding an exit nobody collects is ended by its
 * verified identity.
 */
export async function sweepHome(
  home: string,
  name: string,
  runIds: Iterable<string>,
): Promise<void> {
  try {
    const sweeper = await createSupervisor({ home, name, onOrphan: 'kill' });
    await sweeper.shutdown();
  } catch {
    // A home whose records a test broke on purpose: the markers below still find the runs.
  }
  for (const runId of runIds) {
    if (liveMarked(runId).length === 0) continue;
    await terminateRunTree({
      query: { marker: `${RUN_MARKER}=${runId}`, root: null },
      graceMs: 0,
      softSignals: [],
    });
  }
  await waitUntil(
    () => {
      for (const host of liveRunHosts(home, name)) signalVerified(host, 'SIGKILL');
      return liveRunHosts(home, name).length === 0;
    },
    15_000,
    'the run host of the test home to exit',
    100,
  ).catch(() => undefined);
}
