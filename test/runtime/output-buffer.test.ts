import { describe, expect, test } from 'vitest';
import { OutputBuffer, type OutputSlice } from '../../src/runtime/output-buffer.js';
import { InvalidOptionError } from '../../src/errors.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

/** mulberry32: a tiny seeded PRNG, so every failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The byte the stream holds at absolute `offset`: checkable without keeping the stream. */
function byteAt(offset: number, seed: number): number {
  return (Math.imul(offset, 2654435761) + seed) >>> 24;
}

function streamChunk(from: number, length: number, seed: number): Buffer {
  const chunk = Buffer.alloc(length);
  for (let i = 0; i < length; i++) chunk[i] = byteAt(from + i, seed);
  return chunk;
}

describe('OutputBuffer offsets', () => {
  test('append returns the absolute offset of each chunk; end counts every byte', () => {
    const buffer = new OutputBuffer(1024);
    expect(buffer.end).toBe(0);
    expect(buffer.append(bytes('abc'))).toBe(0);
    expect(buffer.append(bytes('de'))).toBe(3);
    expect(buffer.append(Buffer.alloc(0))).toBe(5);
    expect(buffer.append(bytes('f'))).toBe(5);
    expect(buffer.end).toBe(6);
  });

  test('read() returns everything while under the cap', () => {
    const buffer = new OutputBuffer(1024);
    buffer.append(bytes('hello '));
    buffer.append(bytes('world'));
    const slice = buffer.read();
    expect(slice).toMatchObject({
      text: 'hello world',
      offset: 0,
      nextOffset: 11,
      droppedBytes: 0,
    });
    expect(slice.data.equals(bytes('hello world'))).toBe(true);
  });

  test('read(since) returns exactly the bytes after since, also from inside a chunk', () => {
    const buffer = new OutputBuffer(1024);
    buffer.append(bytes('abc'));
    buffer.append(bytes('defg'));
    buffer.append(bytes('hi'));
    const text = 'abcdefghi';
    for (let since = 0; since <= text.length; since++) {
      expect(buffer.read(since)).toMatchObject({
        text: text.slice(since),
        offset: since,
        nextOffset: 9,
        droppedBytes: 0,
      });
    }
  });

  test('read(end) is empty and points at end', () => {
    const buffer = new OutputBuffer(1024);
    expect(buffer.read(0)).toMatchObject({ text: '', offset: 0, nextOffset: 0, droppedBytes: 0 });
    buffer.append(bytes('abc'));
    const slice = buffer.read(3);
    expect(slice).toMatchObject({ text: '', offset: 3, nextOffset: 3, droppedBytes: 0 });
    expect(slice.data.length).toBe(0);
  });

  test('decodes UTF-8 split across chunks as one character', () => {
    const buffer = new OutputBuffer(1024);
    const e = Buffer.from('é✓', 'utf8');
    buffer.append(e.subarray(0, 1));
    buffer.append(e.subarray(1, 3));
    buffer.append(e.subarray(3));
    expect(buffer.read().text).toBe('é✓');
  });

  test.each([
    ['past the end', 4],
    ['negative', -1],
    ['fractional', 1.5],
    ['NaN', NaN],
    ['infinite', Infinity],
    ['beyond safe integers', 2 ** 53],
  ])('a since that is %s throws InvalidOptionError naming since and its value', (_name, since) => {
    const buffer = new OutputBuffer(1024);
    buffer.append(bytes('abc'));
    let error: unknown;
    try {
      buffer.read(since);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(error).toMatchObject({ option: 'since', received: since });
    expect((error as Error).message).toContain(`received ${String(since)}`);
    expect((error as Error).message).toContain('0 to 3');
  });
});

describe('OutputBuffer bounds', () => {
  test('drops the oldest bytes beyond the cap, counting them as dropped', () => {
    const buffer = new OutputBuffer(10);
    buffer.append(bytes('abcdef'));
    buffer.append(bytes('ghijkl'));
    expect(buffer.read(0)).toMatchObject({
      text: 'cdefghijkl',
      offset: 2,
      nextOffset: 12,
      droppedBytes: 2,
    });
    // A reader that was further along loses less, or nothing.
    expect(buffer.read(1)).toMatchObject({ text: 'cdefghijkl', offset: 2, droppedBytes: 1 });
    expect(buffer.read(2)).toMatchObject({ text: 'cdefghijkl', offset: 2, droppedBytes: 0 });
    expect(buffer.read(7)).toMatchObject({ text: 'hijkl', offset: 7, droppedBytes: 0 });
  });

  test('a single chunk larger than the cap keeps only its last bytes', () => {
    const buffer = new OutputBuffer(4);
    expect(buffer.append(bytes('abcdefghij'))).toBe(0);
    expect(buffer.end).toBe(10);
    expect(buffer.read(0)).toMatchObject({
      text: 'ghij',
      offset: 6,
      nextOffset: 10,
      droppedBytes: 6,
    });
    expect(buffer.read(8)).toMatchObject({ text: 'ij', offset: 8, droppedBytes: 0 });
    buffer.append(bytes('KLMNOPQRSTUV'));
    expect(buffer.read(0)).toMatchObject({ text: 'STUV', offset: 18, droppedBytes: 18 });
  });

  test('many tiny appends keep exactly the last maxBytes bytes', () => {
    const buffer = new OutputBuffer(1024);
    const all = streamChunk(0, 10_000, 7);
    for (let i = 0; i < all.length; i++) buffer.append(all.subarray(i, i + 1));
    const slice = buffer.read(0);
    expect(slice.offset).toBe(10_000 - 1024);
    expect(slice.droppedBytes).toBe(10_000 - 1024);
    expect(slice.data.equals(all.subarray(10_000 - 1024))).toBe(true);
  });
});

describe('OutputBuffer with a start offset (restored run)', () => {
  test('offsets continue from the start offset', () => {
    const buffer = new OutputBuffer(1024, 1000);
    expect(buffer.end).toBe(1000);
    expect(buffer.append(bytes('abc'))).toBe(1000);
    expect(buffer.end).toBe(1003);
    expect(buffer.read(1001)).toMatchObject({ text: 'bc', offset: 1001, droppedBytes: 0 });
  });

  test('bytes before the start offset are reported as dropped', () => {
    const buffer = new OutputBuffer(1024, 1000);
    buffer.append(bytes('abc'));
    expect(buffer.read(0)).toMatchObject({
      text: 'abc',
      offset: 1000,
      nextOffset: 1003,
      droppedBytes: 1000,
    });
    expect(buffer.read(1000)).toMatchObject({ text: 'abc', droppedBytes: 0 });
    expect(() => buffer.read(1004)).toThrow(InvalidOptionError);
  });
});

describe('OutputBuffer polling (seeded property loop)', () => {
  test.each(Array.from({ length: 24 }, (_, i) => i + 1))(
    'seed %i: a client passing back nextOffset never misses or repeats a byte',
    (seed) => {
      const random = prng(seed);
      const maxBytes = 1 + Math.floor(random() * 300);
      // Some clients poll after almost every append, others rarely (and so lose bytes).
      const pollChance = random();
      const buffer = new OutputBuffer(maxBytes);
      let since = 0;
      let received = 0;
      let dropped = 0;

      const poll = (): OutputSlice => {
        const slice = buffer.read(since);
        const end = buffer.end;
        expect(slice.offset).toBe(since + slice.droppedBytes);
        expect(slice.offset).toBe(Math.max(since, end - Math.min(end, maxBytes)));
        expect(slice.nextOffset).toBe(end);
        expect(slice.data.length).toBe(slice.nextOffset - slice.offset);
        expect(slice.data.equals(streamChunk(slice.offset, slice.data.length, seed))).toBe(true);
        expect(slice.text).toBe(slice.data.toString('utf8'));
        received += slice.data.length;
        dropped += slice.droppedBytes;
        since = slice.nextOffset;
        return slice;
      };

      for (let step = 0; step < 1500; step++) {
        // Mostly small chunks, sometimes empty, now and then one larger than the cap.
        const roll = random();
        const size =
          roll < 0.05
            ? 0
            : roll < 0.1
              ? maxBytes + Math.floor(random() * maxBytes * 2)
              : Math.floor(random() * 40);
        expect(buffer.append(streamChunk(buffer.end, size, seed))).toBe(buffer.end - size);
        if (random() < pollChance) poll();
      }
      const last = poll();
      expect(last.nextOffset).toBe(buffer.end);
      expect(received + dropped).toBe(buffer.end);
      // Polling again right away returns nothing new.
      expect(poll().data.length).toBe(0);
    },
  );
});
