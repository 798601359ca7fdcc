// Group commit against a real SQLite file: concurrent writes share statements, each write
// resolves once its own value is stored, and a failed batch fails every write in it.
import Keyv from 'keyv';
import KeyvSqlite from '@keyv/sqlite';
import { afterEach, expect, test } from 'vitest';
import { openStore } from '../../src/persistence/open-store.js';
import { RefusedWrite, WriteBatcher } from '../../src/persistence/write-batcher.js';
import { createTempHome } from '../support/temp-home.js';

const removers: Array<() => void> = [];
afterEach(() => {
  for (const remove of removers.splice(0)) remove();
});

function home(): string {
  const created = createTempHome('runwarden-batcher-');
  removers.push(created.remove);
  return created.path;
}

interface Queryable {
  query(sql: string, ...parameters: unknown[]): Promise<unknown>;
}

test('1,000 concurrent writes reach SQLite in a few statements, and every one is stored', async () => {
  const opened = await openStore(undefined, home());
  const adapter = opened.keyv.store as Queryable;
  const query = adapter.query.bind(adapter);
  let writes = 0;
  adapter.query = (sql, ...parameters) => {
    if (sql.startsWith('INSERT')) writes++;
    return query(sql, ...parameters);
  };
  const batcher = new WriteBatcher(opened.keyv);
  const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
  await Promise.all(
    keys.map(async (key, i) => {
      await batcher.write(key, { i });
      // Resolved means stored: read it back at once.
      expect(await opened.keyv.get(key)).toEqual({ i });
    }),
  );
  // One alone (nothing was in flight), then batches of up to 250.
  expect(writes).toBeLessThanOrEqual(6);
  await opened.close();
});

test('a write that waits behind a newer one of the same key resolves with the newer value', async () => {
  const opened = await openStore(undefined, home());
  const batcher = new WriteBatcher(opened.keyv);
  const first = batcher.write('busy', 0); // goes out alone
  const older = batcher.write('k', 'old'); // waits for the first
  const newer = batcher.write('k', 'new');
  await Promise.all([first, older, newer]);
  expect(await opened.keyv.get('k')).toBe('new');
  await opened.close();
});

test('a batch that fails rejects every write in it, and the batcher goes on', async () => {
  const dir = home();
  const opened = await openStore(undefined, dir);
  const batcher = new WriteBatcher(opened.keyv);
  await opened.close(); // the database is closed under the batcher
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => batcher.write(`k${i}`, i)),
  );
  expect(results.every((r) => r.status === 'rejected')).toBe(true);

  const again = await openStore(undefined, dir);
  const next = new WriteBatcher(again.keyv);
  await next.write('k0', 'later');
  expect(await again.keyv.get('k0')).toBe('later');
  await again.close();
});

test('a Keyv that reports failures as false gets them back as RefusedWrite', async () => {
  const adapter = new KeyvSqlite({ uri: `sqlite://${home()}/plain.sqlite` });
  const keyv = new Keyv({ store: adapter, throwOnErrors: false });
  keyv.on('error', () => undefined); // reported as `false`, which is what this test is about
  await keyv.get('open');
  await keyv.disconnect();
  const batcher = new WriteBatcher(keyv);
  const outcomes = await Promise.allSettled([batcher.write('a', 1), batcher.write('b', 2)]);
  for (const outcome of outcomes) {
    expect(outcome.status).toBe('rejected');
    expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(RefusedWrite);
  }
});
