// A run's record writes: in order, each snapshot at most once, a superseded one not at all,
// against a real SQLite store.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { openStore, type OpenedStore } from '../../src/persistence/open-store.js';
import { RecordStore } from '../../src/persistence/record-store.js';
import { RecordQueue, type RecordCapture } from '../../src/runtime/record-queue.js';
import { silentLogger } from '../../src/support/logger.js';
import { createTempHome } from '../support/temp-home.js';

let home: { path: string; remove: () => void };
let opened: OpenedStore;
let store: RecordStore;
const written: string[] = [];

beforeEach(async () => {
  home = createTempHome('runwarden-record-queue-');
  opened = await openStore(undefined, home.path);
  store = new RecordStore(opened.keyv, 'default', () => Date.now());
  written.length = 0;
});

afterEach(async () => {
  await opened.close();
  home.remove();
});

// A queue over the real store whose current snapshot is `current.state`; it notes each write.
function queueFor(runId: string, current: { state: string }): RecordQueue {
  const journal = {
    write: async (id: string, persisted: unknown, final: boolean) => {
      written.push((persisted as { value: string }).value);
      await store.write(id, persisted, final);
    },
  };
  let snapshot: object = {};
  let captured = '';
  const capture = (): RecordCapture => {
    // A new snapshot object for each state: the queue tells snapshots apart by identity.
    if (captured !== current.state) snapshot = {};
    captured = current.state;
    return { snapshot, persisted: { value: current.state }, final: current.state === 'done' };
  };
  const outcome = { failed: () => undefined, refused: () => undefined, recovered: () => undefined };
  return new RecordQueue(runId, journal, capture, silentLogger, outcome);
}

async function storedState(runId: string): Promise<unknown> {
  const record = (await store.get(store.runKey(runId))) as { snapshot: { value: string } };
  return record.snapshot.value;
}

test('a snapshot superseded before its write started is not written; its waiters are released', async () => {
  const current = { state: 'recording' };
  const queue = queueFor('rqueue1', current);
  await queue.writeAhead();
  current.state = 'orphaned';
  const orphanedDurable = queue.whenDurable();
  current.state = 'finalizing';
  queue.writeNow();
  await orphanedDurable; // released by the newer write that landed
  await queue.flush();
  expect(written).toEqual(['recording', 'finalizing']);
  expect(await storedState('rqueue1')).toBe('finalizing');
});

test('the same snapshot is written once; a snapshot whose write started is written in full', async () => {
  const current = { state: 'recording' };
  const queue = queueFor('rqueue2', current);
  const ahead = queue.writeAhead();
  queue.writeNow(); // the same snapshot as the write-ahead's
  await ahead;
  current.state = 'running';
  queue.writeNow();
  await queue.flush();
  current.state = 'done';
  queue.writeNow();
  await queue.flush();
  expect(written).toEqual(['recording', 'running', 'done']);
  expect(await storedState('rqueue2')).toBe('done');
});

test('the write-ahead is written even when a newer snapshot follows it at once', async () => {
  const current = { state: 'recording' };
  const queue = queueFor('rqueue3', current);
  const ahead = queue.writeAhead();
  current.state = 'spawning';
  queue.writeNow();
  await ahead;
  await queue.flush();
  expect(written).toEqual(['recording', 'spawning']);
});

test('flush waits for the newer write that superseded one queued before it', async () => {
  const current = { state: 'recording' };
  const queue = queueFor('rqueue4', current);
  await queue.writeAhead();
  current.state = 'running';
  queue.writeNow();
  const flushed = queue.flush(); // asked while only `running` is queued
  current.state = 'done';
  queue.writeNow(); // supersedes `running` before its turn
  await flushed;
  expect(written).toEqual(['recording', 'done']);
  expect(await storedState('rqueue4')).toBe('done');
});
