import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import {
  OutputLogWriter,
  outputLogEnd,
  readOutputLog,
  removeOutputLog,
} from '../../src/host/output-log.js';
import { createTempHome } from '../support/temp-home.js';

const homes: Array<() => void> = [];
afterEach(() => {
  for (const remove of homes.splice(0)) remove();
});

function logDir(): string {
  const home = createTempHome();
  homes.push(home.remove);
  return join(home.path, 'runs', 'r1');
}

const bytes = (from: number, count: number) =>
  Buffer.from(Array.from({ length: count }, (_, i) => (from + i) % 251));

test('appends with absolute offsets and reads any range back', () => {
  const dir = logDir();
  const log = new OutputLogWriter(dir, 64 * 1024);
  expect(log.append(bytes(0, 10))).toBe(0);
  expect(log.append(bytes(10, 5))).toBe(10);
  log.close();
  expect(outputLogEnd(dir)).toBe(15);
  const all = readOutputLog(dir, 0, 1024);
  expect(all).toMatchObject({ offset: 0, nextOffset: 15, droppedBytes: 0 });
  expect(all.data.equals(bytes(0, 15))).toBe(true);
  expect(readOutputLog(dir, 12, 2).data.equals(bytes(12, 2))).toBe(true);
  expect(readOutputLog(dir, 15, 10).data.length).toBe(0);
  expect(() => readOutputLog(dir, 16, 10)).toThrow(RangeError);
});

test('the cap drops whole oldest segments; offsets stay absolute and gaps are reported', () => {
  const dir = logDir();
  const cap = 4096; // four segments of 1 KiB
  const log = new OutputLogWriter(dir, cap);
  let written = 0;
  for (let i = 0; i < 40; i++) {
    const chunk = bytes(written, 300);
    expect(log.append(chunk)).toBe(written);
    written += chunk.length;
  }
  log.close();
  const segments = readdirSync(dir);
  const retained = segments.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  expect(retained).toBeLessThanOrEqual(cap);
  expect(retained).toBeGreaterThanOrEqual(cap - cap / 4);
  const slice = readOutputLog(dir, 0, 1 << 20);
  expect(slice.nextOffset).toBe(written);
  expect(slice.droppedBytes).toBe(slice.offset);
  expect(slice.offset + slice.data.length).toBe(written);
  expect(slice.data.equals(bytes(slice.offset, slice.data.length))).toBe(true);
  // Segment files are private to the owner.
  for (const name of segments) expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
});

test('a writer reopened over an existing log continues at its end', () => {
  const dir = logDir();
  const first = new OutputLogWriter(dir, 8192);
  first.append(bytes(0, 100));
  first.close();
  const second = new OutputLogWriter(dir, 8192);
  expect(second.end).toBe(100);
  expect(second.append(bytes(100, 50))).toBe(100);
  second.close();
  expect(readOutputLog(dir, 0, 1000).data.equals(bytes(0, 150))).toBe(true);
  removeOutputLog(dir);
  expect(outputLogEnd(dir)).toBe(0);
});
