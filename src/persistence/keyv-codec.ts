// Keyv's stored format (@keyv/serialize): JSON in which a string value starting with ':' is
// escaped with one more ':' and a Buffer is written as ':base64:<data>'. Keyv's own codec
// builds the text by string concatenation value by value, and parses it with a JSON.parse
// reviver, which V8 runs as a call per value: 11 µs per run record to encode, and most of a
// boot's read of 10,000 records to decode. These give the same text and values from V8's
// native JSON, plus one walk (test/persistence/keyv-codec.test.ts checks both against
// Keyv's own codec).
import { Buffer } from 'node:buffer';
import Keyv from 'keyv';

// Keyv's own serializer is synchronous; its type allows a promise.
const keyvSerialize = new Keyv().serialize as (data: unknown) => string;

/** Encodes `data` exactly as Keyv's default serializer does. */
export function encodeKeyvValue(data: unknown): string {
  // Native JSON gives Keyv's text for everything but what Keyv escapes or converts: strings
  // starting with ':', values with toJSON (a Buffer), functions in arrays. Those (rare in
  // records) go through Keyv's own serializer.
  if (data === undefined || needsKeyvEncoding(data)) return keyvSerialize(data);
  return JSON.stringify(data);
}

function needsKeyvEncoding(value: unknown): boolean {
  if (typeof value === 'string') return value.startsWith(':');
  if (typeof value === 'function') return true;
  if (value === null || typeof value !== 'object') return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) return value.some(needsKeyvEncoding);
  for (const key of Object.keys(value)) {
    if (needsKeyvEncoding((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

// Keyv writes every string value that starts with ':' (escaped ones, Buffers) as a JSON
// string starting with `":`, right after `{`, `[`, `,` or `:`. Inside a string a quote is
// escaped (`\"`), so without this pattern no value needs unescaping and plain JSON.parse is
// exact. A key that starts with ':' (or ends with ',') also matches: that only costs the walk.
const MAY_HOLD_ESCAPED = /(?:^|[[{,:])":/;

/** Decodes text in Keyv's stored format; throws like JSON.parse on text that is not JSON. */
export function decodeKeyvText(text: string): unknown {
  const parsed = JSON.parse(text) as unknown;
  return MAY_HOLD_ESCAPED.test(text) ? unescapeValue(parsed) : parsed;
}

function unescapeValue(value: unknown): unknown {
  if (typeof value === 'string') return unescapeString(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null) unescapeValue(item);
      else if (typeof item === 'string' && item.startsWith(':')) value[i] = unescapeString(item);
    }
    return value;
  }
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    const item = object[key];
    if (typeof item === 'object' && item !== null) unescapeValue(item);
    else if (typeof item === 'string' && item.startsWith(':')) {
      // JSON.parse made `__proto__` an own property; plain assignment would set the prototype.
      Object.defineProperty(object, key, {
        value: unescapeString(item),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
  }
  return object;
}

function unescapeString(value: string): unknown {
  if (!value.startsWith(':')) return value;
  if (value.startsWith(':base64:')) return Buffer.from(value.slice(8), 'base64');
  return value.slice(1);
}
