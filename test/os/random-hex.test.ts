// Pooled random hex: the right length, hex only, and no repeats across pool refills.
import { expect, test } from 'vitest';
import { randomHex } from '../../src/os/random-hex.js';

test('draws of 8 bytes are 16 hex digits and never repeat across several pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const hex = randomHex(8);
    expect(hex).toMatch(/^[0-9a-f]{16}$/);
    seen.add(hex);
  }
  expect(seen.size).toBe(5000);
});

test('a draw larger than the pool is served whole', () => {
  expect(randomHex(5000)).toMatch(/^[0-9a-f]{10000}$/);
});
