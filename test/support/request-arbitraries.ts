// fast-check arbitraries of raw HTTP requests for the control API and the run host, and
// the answer every one of them must get: a 2xx, or a 4xx with `{ error: { code, message } }`.
import fc from 'fast-check';
import { expect } from 'vitest';
import type { RawAnswer } from './raw-request.js';

/** A path segment: `LIVE` (the test's live run), random text, or broken percent-encoding. */
export const segment = fc.oneof(
  fc.constant('LIVE'),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom('%', '%E0%A4%A', '%ZZ', '..', '%2F', 'r0'),
);

export const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH');

/** No body, JSON of `json`, or bytes that are not JSON at all. */
export function bodyOf(json: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer | undefined> {
  return fc.oneof(
    fc.constant(undefined),
    json.map((value) => Buffer.from(JSON.stringify(value))),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    fc.string({ maxLength: 64 }).map((text) => Buffer.from(text)),
  );
}

/** A 2xx, or a typed 4xx: never a 500. */
export function expectTypedAnswer(answer: RawAnswer): void {
  expect(answer.status, answer.text).toBeLessThan(500);
  if (answer.status < 400) return;
  expect(JSON.parse(answer.text)).toEqual({
    error: { code: expect.stringMatching(/^E_/) as string, message: expect.any(String) as string },
  });
}
