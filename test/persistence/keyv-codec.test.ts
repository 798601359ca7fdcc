// The project's Keyv codec must write exactly Keyv's text and read exactly what Keyv reads:
// generated values (strings that start with ':', Buffers, Dates, `__proto__` keys, undefined,
// deep nesting) go through both codecs.
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import Keyv from 'keyv';
import { expect, test } from 'vitest';
import { decodeKeyvText, encodeKeyvValue } from '../../src/persistence/keyv-codec.js';

// Keyv's own codec (both synchronous; their types allow promises).
const keyv = new Keyv();
const keyvEncode = keyv.serialize as (data: unknown) => string;
const keyvDecode = keyv.deserialize as (text: string) => unknown;
const serialize = (value: unknown): string => keyvEncode({ value });

const colonString = fc.oneof(
  fc.string(),
  fc.string().map((s) => `:${s}`),
  fc.string().map((s) => `::${s}`),
  fc.constant(':base64:'),
  // Text that looks like the escaped pattern from inside a string or a key.
  fc.constantFrom('",":', ',":x', '{":', 'a,', '[":"]'),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    colonString,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(colonString, fc.constant('__proto__')), tie('node'), {
      maxKeys: 5,
    }),
  ),
})).node;

test('decodes every value as Keyv does', () => {
  fc.assert(
    fc.property(value, (generated) => {
      const text = serialize(generated);
      const decoded = decodeKeyvText(text) as { value: unknown };
      expect(decoded).toStrictEqual(keyvDecode(text));
      // `__proto__` stays an own key, never the prototype.
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    }),
    { numRuns: 500 },
  );
});

const withUndefined = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    value,
    fc.constant(undefined),
    fc.date({ noInvalidDate: true }),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('node'), { maxKeys: 4 }),
  ),
})).node;

test('encodes every value to the same text as Keyv', () => {
  fc.assert(
    fc.property(withUndefined, (generated) => {
      const entry = { value: generated, expires: undefined };
      expect(encodeKeyvValue(entry)).toBe(keyvEncode(entry));
    }),
    { numRuns: 1000 },
  );
});

test('a string value that started with a colon comes back unchanged', () => {
  const text = serialize({ args: [':x', '::y', 'plain'], note: ':base64:' });
  expect(decodeKeyvText(text)).toEqual({
    value: { args: [':x', '::y', 'plain'], note: ':base64:' },
  });
});

test('a bare string in the stored format is unescaped too', () => {
  expect(decodeKeyvText('"::x"')).toBe(':x');
  expect(decodeKeyvText('["::x",{"k":"::y"}]')).toEqual([':x', { k: ':y' }]);
});

test('text that is not JSON throws as JSON.parse does', () => {
  expect(() => decodeKeyvText('{"value":')).toThrow(SyntaxError);
});
