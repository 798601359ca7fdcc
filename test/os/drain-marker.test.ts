// The drain marker filter: the marker is removed wherever the chunk boundaries fall.
import { expect, test } from 'vitest';
import { createDrainMarker, DrainMarkerFilter } from '../../src/os/drain-marker.js';

function pass(filter: DrainMarkerFilter, chunks: Buffer[]): Buffer {
  return Buffer.concat([...chunks.map((chunk) => filter.filter(chunk)), filter.flush()]);
}

test('passes output through unchanged until armed, and after the marker', () => {
  const marker = createDrainMarker();
  const filter = new DrainMarkerFilter(marker);
  expect(filter.filter(marker)).toEqual(marker);
  filter.arm();
  expect(filter.filter(Buffer.from('a'))).toEqual(Buffer.from('a'));
  expect(filter.filter(Buffer.concat([Buffer.from('b'), marker]))).toEqual(Buffer.from('b'));
  expect(filter.found).toBe(true);
  expect(filter.filter(marker)).toEqual(marker);
});

test('removes a marker split at every possible point, keeping the bytes around it', () => {
  const marker = createDrainMarker();
  const stream = Buffer.concat([Buffer.from('before\x1b]7'), marker, Buffer.from('after')]);
  for (let cut = 0; cut <= stream.length; cut++) {
    for (let second = cut; second <= stream.length; second += 7) {
      const filter = new DrainMarkerFilter(marker);
      filter.arm();
      const chunks = [
        stream.subarray(0, cut),
        stream.subarray(cut, second),
        stream.subarray(second),
      ];
      expect(pass(filter, chunks).toString(), `cuts ${cut}, ${second}`).toBe('before\x1b]7after');
      expect(filter.found).toBe(true);
    }
  }
});

test('gives back a partial marker when the output ends without the rest', () => {
  const marker = createDrainMarker();
  const filter = new DrainMarkerFilter(marker);
  filter.arm();
  const partial = marker.subarray(0, 10);
  expect(filter.filter(Buffer.concat([Buffer.from('x'), partial]))).toEqual(Buffer.from('x'));
  expect(filter.flush()).toEqual(partial);
  expect(filter.found).toBe(false);
});

test('markers are upper-case OSC sequences, different every time', () => {
  const [a, b] = [createDrainMarker(), createDrainMarker()];
  expect(a.equals(b)).toBe(false);
  const text = a.toString();
  expect(text.startsWith('\x1b]7777;RWDRAIN') && text.endsWith('\x07')).toBe(true);
  expect(text.slice(14, -1)).toMatch(/^[0-9A-F]{16}$/);
});
