// A stored value Keyv could not decode (a torn write, bytes another program put there).
// Decoding never throws: one such entry must not stop a boot from reading every other
// record, so it comes back as this value, which validation quarantines with its text.
import type { DeserializedData, default as Keyv } from 'keyv';
import { decodeKeyvText } from './keyv-codec.js';

export class UndecodableValue {
  constructor(
    /** The stored text, kept whole so the quarantine loses nothing. */
    readonly raw: string,
    readonly reason: string,
  ) {}
}

/**
 * Makes `keyv` (one this project opened, in Keyv's default format) decode what it cannot
 * parse into an UndecodableValue instead of throwing.
 */
export function decodeTolerantly(keyv: Keyv): void {
  keyv.deserialize = <Value>(data: string): Promise<DeserializedData<Value>> => {
    try {
      const decoded = decodeKeyvText(data);
      // Keyv reads `expires` and `value` of whatever comes back: it must be an object.
      if (decoded !== null && typeof decoded === 'object')
        return Promise.resolve(decoded as DeserializedData<Value>);
      return Promise.resolve({ value: new UndecodableValue(data, 'not a Keyv entry') as Value });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.resolve({ value: new UndecodableValue(data, reason) as Value });
    }
  };
}
