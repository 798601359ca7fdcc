// Opens the Keyv store a supervisor records its runs in: a Keyv instance the caller made,
// or a URL (sqlite://PATH, redis://HOST:PORT, postgres://...), or by default an embedded
// SQLite file in the home directory (0600).
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  statSync,
} from 'node:fs';
import { EventEmitter } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Keyv, { type KeyvOptions } from 'keyv';
import { InvalidOptionError, redactCredentials, StoreError } from '../errors.js';
import { encodeKeyvValue } from './keyv-codec.js';
import { decodeTolerantly } from './undecodable-value.js';

/** An open store and how to close it. */
export interface OpenedStore {
  readonly keyv: Keyv;
  /** Where records go, for logs and reports (credentials removed). */
  readonly location: string;
  /** Closes connections this module opened; a caller's own Keyv is left open. */
  close(): Promise<void>;
}

// @keyv/sqlite pages with LIMIT/OFFSET (default 10 rows); large pages mean fewer queries.
const ITERATION_LIMIT = 1000;

/** Where a store reports what goes wrong beside requests (a pino-compatible logger). */
export interface StoreLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

const silent: StoreLogger = { warn: () => undefined };

/** Opens `store` (or the default SQLite file in `home`). */
export async function openStore(
  store: Keyv | string | undefined,
  home: string,
  logger: StoreLogger = silent,
): Promise<OpenedStore> {
  if (store instanceof Keyv) {
    // A default TTL would silently expire live records and the owner lease.
    if (store.ttl !== undefined) {
      throw new InvalidOptionError(
        'store',
        'a Keyv with a default ttl',
        'a Keyv without a default ttl (records must never expire)',
      );
    }
    return { keyv: store, location: 'keyv instance', close: () => Promise.resolve() };
  }
  if (store !== undefined && typeof store !== 'string') {
    throw new InvalidOptionError(
      'store',
      store,
      'a Keyv instance or a sqlite://, redis:// or postgres:// URL',
    );
  }
  const url = store ?? `sqlite://${join(home, 'runwarden.sqlite')}`;
  if (url.startsWith('sqlite://')) return openSqlite(url.slice('sqlite://'.length));
  if (/^rediss?:\/\//.test(url)) return openRedis(url);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, logger);
  throw new InvalidOptionError('store', url, 'a sqlite://, redis:// or postgres:// URL');
}

async function openSqlite(path: string): Promise<OpenedStore> {
  if (path === '')
    throw new InvalidOptionError('store', 'sqlite://', 'sqlite://PATH with a file path');
  const file = resolve(path);
  // Create a missing directory privately; never change the mode of one that exists.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    // Create the file 0600 before SQLite does, so records are never world-readable.
    if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  } catch (error) {
    throw storeError(`could not create the SQLite file ${file}`, error);
  }
  assertPrivateAndWritable(file);
  const { default: KeyvSqlite } = await import('@keyv/sqlite');
  const adapter = new KeyvSqlite({
    uri: `sqlite://${file}`,
    busyTimeout: 5000,
    iterationLimit: ITERATION_LIMIT,
  });
  addSqliteSetMany(adapter);
  const keyv = ownKeyv({ store: adapter });
  await probe(keyv, `sqlite://${file}`);
  try {
    // WAL with synchronous=NORMAL: a committed record survives a crash of this process
    // (what supervision needs) at a fraction of the cost of a full sync per write. SQLite
    // creates the -wal and -shm files with the database file's mode (0600).
    await retryWhileBusy(() => adapter.query('PRAGMA journal_mode=WAL'));
    await adapter.query('PRAGMA synchronous=NORMAL');
  } catch (error) {
    await keyv.disconnect().catch(() => undefined);
    throw storeError(`the SQLite file ${file} is not usable`, error);
  }
  return { keyv, location: `sqlite://${file}`, close: () => keyv.disconnect() };
}

/** The part of @keyv/sqlite's adapter this module uses. */
interface SqliteAdapter {
  readonly opts: { table?: string };
  query(sql: string, ...parameters: unknown[]): Promise<unknown>;
  setMany?: (entries: Array<{ key: string; value: unknown }>) => Promise<boolean[]>;
}

// @keyv/sqlite has no setMany, so Keyv would fall back to one statement per entry. Batched
// record writes (write-batcher.ts) go out as one upsert: one statement, one transaction.
function addSqliteSetMany(adapter: SqliteAdapter): void {
  adapter.setMany = async (entries) => {
    const rows = entries.map(() => '(?, ?)').join(', ');
    await adapter.query(
      `INSERT INTO ${adapter.opts.table ?? 'keyv'} (key, value) VALUES ${rows} ON CONFLICT(key) DO UPDATE SET value=excluded.value`,
      entries.flatMap((entry) => [entry.key, entry.value]),
    );
    return entries.map(() => true);
  };
}

// Switching a new file to WAL needs it alone for a moment, and SQLite reports SQLITE_BUSY
// at once instead of waiting (its busy handler would risk a deadlock there): supervisors
// opening a new file at the same moment retry, so the owner lease decides, not the race.
async function retryWhileBusy<T>(query: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await query();
    } catch (error) {
      const busy = (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
      if (!busy || Date.now() >= deadline) throw error;
      await sleep(20);
    }
  }
}

// An existing file is tightened (no group or other bits), never loosened: one its owner
// made read-only stays so, and boot says so before SQLite fails on the first write.
function assertPrivateAndWritable(file: string): void {
  const mode = statSync(file).mode & 0o777;
  try {
    if ((mode & 0o077) !== 0) chmodSync(file, mode & 0o700);
  } catch (error) {
    throw storeError(`could not make the SQLite file ${file} private (chmod)`, error);
  }
  try {
    accessSync(file, constants.R_OK | constants.W_OK);
  } catch (error) {
    throw storeError(`the SQLite file ${file} is read-only`, error);
  }
}

async function openRedis(url: string): Promise<OpenedStore> {
  const { default: KeyvRedis } = await import('@keyv/redis');
  // Fail fast while disconnected (the default offline queue would hang every write until
  // Redis returns), and throw from the adapter itself: by default @keyv/redis only emits
  // the error and Keyv reports the write as done.
  const adapter = new KeyvRedis(
    { url, disableOfflineQueue: true },
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: 3000 },
  );
  const keyv = ownKeyv({ store: adapter, useKeyPrefix: false });
  const location = redactCredentials(url);
  await probe(keyv, location);
  return { keyv, location, close: () => keyv.disconnect() };
}

async function openPostgres(url: string, logger: StoreLogger): Promise<OpenedStore> {
  const { default: KeyvPostgres } = await import('@keyv/postgres');
  const adapter = new KeyvPostgres({
    uri: url,
    table: 'runwarden',
    iterationLimit: ITERATION_LIMIT,
    log: listenForIdleErrors(logger),
  });
  const keyv = ownKeyv({ store: adapter });
  const location = redactCredentials(url);
  await probe(keyv, location);
  return { keyv, location, close: () => keyv.disconnect() };
}

// pg's pool emits 'error' when an idle connection dies (PostgreSQL stopped or restarted):
// with no listener that is an uncaught exception, which ends the whole process. @keyv/postgres
// neither listens nor exposes its pool, but pg-pool (3.x, as @keyv/postgres 2.2.3 brings it)
// calls its `log` option as a method of the pool before it opens each connection: the
// listener is added there. The pool drops the dead connection by itself; the outage shows
// in failed queries and in the store's health, and in a warning here.
function listenForIdleErrors(logger: StoreLogger): (this: unknown) => void {
  return function addListener(this: unknown): void {
    if (this instanceof EventEmitter && this.listenerCount('error') === 0) {
      this.on('error', (error: unknown) => {
        logger.warn({ err: error }, 'store connection lost while idle');
      });
    }
  };
}

// A Keyv this module opens: errors throw, and Keyv's format is written and read by the
// faster equivalent codec; what cannot be decoded comes back as an UndecodableValue.
function ownKeyv(options: KeyvOptions): Keyv {
  const keyv = new Keyv({ ...options, throwOnErrors: true, serialize: encodeKeyvValue });
  decodeTolerantly(keyv);
  return keyv;
}

// One round trip at open: a store that is down fails here, with its location, not later.
async function probe(keyv: Keyv, location: string): Promise<void> {
  try {
    await keyv.get('__runwarden_probe__');
  } catch (error) {
    await keyv.disconnect().catch(() => undefined);
    throw storeError(`the store at ${location} is not usable`, error);
  }
}

function storeError(message: string, cause: unknown): StoreError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StoreError('E_STORE_OPEN', `${message}: ${detail}`, { cause });
}
