// Environment keys cannot forge entries ahead of the run marker.
import { expect, test } from 'vitest';
import { normalizeRunSpec } from '../../src/options/run-spec.js';

test.each([['RUNWARDEN_RUN_ID=x'], ['A=B'], ['NUL\0KEY']])('an env key %j is rejected', (key) => {
  expect(() =>
    normalizeRunSpec({ command: 'true', env: { [key]: 'y' } }, { defaultNoOutputTimeoutMs: 0 }),
  ).toThrow(expect.objectContaining({ code: 'E_INVALID_OPTION' }) as Error);
});

test('values may hold = but not NUL', () => {
  expect(
    normalizeRunSpec({ command: 'true', env: { A: 'b=c' } }, { defaultNoOutputTimeoutMs: 0 }).env,
  ).toEqual({ A: 'b=c' });
  expect(() =>
    normalizeRunSpec({ command: 'true', env: { A: 'b\0c' } }, { defaultNoOutputTimeoutMs: 0 }),
  ).toThrow(TypeError);
});
