// One contract, every store: in-memory Keyv, the SQLite file, a real Redis and a real
// PostgreSQL (started by test/support/global-services.ts when their binaries exist).
import { randomUUID } from 'node:crypto';
import Keyv from 'keyv';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { openStore, type OpenedStore } from '../../src/persistence/open-store.js';
import { RecordStore } from '../../src/persistence/record-store.js';
import { postgresService, redisService } from '../support/machine-requirements.js';
import { testNeeding, type Requirement } from '../support/requirements.js';
import { createTempHome } from '../support/temp-home.js';

interface StoreKind {
  readonly name: string;
  /** The service it needs, if any. */
  readonly needs: Requirement | null;
  /** Opens the same underlying store again (a reopen after close sees the same data). */
  readonly open: () => Promise<OpenedStore>;
}

const home = createTempHome('runwarden-contract-');
afterAll(() => {
  home.remove();
});
const sharedMap = new Map<string, unknown>();
const redisUrl = inject('redisUrl');
const postgresUrl = inject('postgresUrl');

const kinds: StoreKind[] = [
  {
    name: 'memory',
    needs: null,
    open: () => openStore(new Keyv({ store: sharedMap }), home.path),
  },
  {
    name: 'sqlite',
    needs: null,
    open: () => openStore(`sqlite://${home.path}/contract.sqlite`, home.path),
  },
  {
    name: 'redis',
    needs: redisService(),
    open: () => openStore(redisUrl ?? '', home.path),
  },
  {
    name: 'postgres',
    needs: postgresService(),
    open: () => openStore(postgresUrl ?? '', home.path),
  },
];

const snapshot = (n: number) => ({ status: 'active', value: 'running', context: { n } });

describe.each(kinds)('$name store', (kind) => {
  const it = kind.needs === null ? test : testNeeding(kind.needs);

  async function withStore<T>(
    fn: (store: RecordStore, opened: OpenedStore) => Promise<T>,
  ): Promise<T> {
    const opened = await kind.open();
    try {
      return await fn(
        new RecordStore(opened.keyv, `contract-${randomUUID()}`, () => Date.now()),
        opened,
      );
    } finally {
      await opened.close();
    }
  }

  it('writes, reads back, and deletes one record', async () => {
    await withStore(async (store) => {
      await store.write('r1', snapshot(1), false);
      const [entry] = await store.readAll();
      expect(entry).toMatchObject({
        runId: 'r1',
        value: { runId: 'r1', final: false, snapshot: snapshot(1) },
      });
      await store.delete(store.runKey('r1'));
      expect(await store.readAll()).toEqual([]);
    });
  });

  it('iterates 10,000 records completely, each exactly once', async () => {
    await withStore(async (store) => {
      const ids = Array.from({ length: 10_000 }, (_, i) => `run-${i}`);
      for (let i = 0; i < ids.length; i += 200) {
        await Promise.all(
          ids.slice(i, i + 200).map((id, j) => store.write(id, snapshot(i + j), false)),
        );
      }
      const read = await store.readAll();
      expect(read).toHaveLength(10_000);
      expect(new Set(read.map((entry) => entry.runId)).size).toBe(10_000);
    });
  }, 120_000);

  it('keeps every record under concurrent writers, and each key holds one whole record', async () => {
    await withStore(async (store) => {
      const writers = Array.from({ length: 20 }, (_, w) =>
        (async () => {
          for (let i = 0; i < 25; i++) await store.write(`w${w}-${i}`, snapshot(i), false);
          // All writers also race on one shared key.
          await store.write('shared', snapshot(w), false);
        })(),
      );
      await Promise.all(writers);
      const read = await store.readAll();
      expect(read).toHaveLength(20 * 25 + 1);
      const shared = read.find((entry) => entry.runId === 'shared')?.value as {
        snapshot: { context: { n: number } };
      };
      expect(shared.snapshot.context.n).toBeGreaterThanOrEqual(0);
      expect(shared.snapshot.context.n).toBeLessThan(20);
    });
  }, 60_000);

  it('sees its records again after close and reopen', async () => {
    const name = `contract-${randomUUID()}`;
    const first = await kind.open();
    await new RecordStore(first.keyv, name, () => 1).write('kept', snapshot(7), true);
    await first.close();
    const second = await kind.open();
    try {
      const read = await new RecordStore(second.keyv, name, () => 2).readAll();
      expect(read).toEqual([
        {
          runId: 'kept',
          value: expect.objectContaining({ final: true, snapshot: snapshot(7) }) as unknown,
        },
      ]);
    } finally {
      await second.close();
    }
  });

  it('keeps supervisor names apart', async () => {
    const opened = await kind.open();
    try {
      const a = new RecordStore(opened.keyv, `a-${randomUUID()}`, () => 1);
      const b = new RecordStore(opened.keyv, `b-${randomUUID()}`, () => 1);
      await a.write('x', snapshot(1), false);
      expect(await b.readAll()).toEqual([]);
      expect(await a.readAll()).toHaveLength(1);
    } finally {
      await opened.close();
    }
  });
});

test('a Redis server that is down gives a typed StoreError at open, naming the store', async () => {
  await expect(openStore('redis://127.0.0.1:1', home.path)).rejects.toSatisfy(
    (error: unknown) =>
      error instanceof StoreError &&
      error.code === 'E_STORE_OPEN' &&
      error.message.includes('127.0.0.1:1'),
  );
});

test('a PostgreSQL server that is down gives a typed StoreError at open, without the password', async () => {
  const error: unknown = await openStore('postgres://user:secret@127.0.0.1:1/db', home.path).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  expect((error as Error).message).not.toContain('secret');
});
