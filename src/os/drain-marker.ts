// Finds and removes one drain marker in a byte stream that arrives in chunks of any size.
// The PTY backend writes the marker into the slave once the child is dead: the terminal
// delivers bytes in order, so reading it back proves every byte written before it was read.
import { randomHex } from './random-hex.js';

/** Strips one occurrence of `marker` from the chunks passed through `filter`. */
export class DrainMarkerFilter {
  private held: Buffer = Buffer.alloc(0);
  private armed = false;
  private seen = false;

  constructor(readonly marker: Buffer) {}

  /** Starts looking for the marker (call once it was written). */
  arm(): void {
    this.armed = true;
  }

  /** True once the marker was read back. */
  get found(): boolean {
    return this.seen;
  }

  /**
   * Returns the bytes of `chunk` to pass on: unchanged before arming and after the marker,
   * without the marker itself, and without a trailing partial marker, which is held back
   * until the next chunk tells whether it is one.
   */
  filter(chunk: Buffer): Buffer {
    if (!this.armed || this.seen) return chunk;
    const data = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    this.held = Buffer.alloc(0);
    const at = data.indexOf(this.marker);
    if (at >= 0) {
      this.seen = true;
      return Buffer.concat([data.subarray(0, at), data.subarray(at + this.marker.length)]);
    }
    const keep = partialMarkerAtEnd(data, this.marker);
    this.held = Buffer.from(data.subarray(data.length - keep));
    return data.subarray(0, data.length - keep);
  }

  /** Returns (and forgets) bytes held back: the stream ended without the marker's rest. */
  flush(): Buffer {
    const held = this.held;
    this.held = Buffer.alloc(0);
    return held;
  }
}

/**
 * A marker that no terminal output processing changes: an OSC sequence (ignored by
 * terminals, should one ever leak) of upper-case letters and digits only, so neither
 * ONLCR/OCRNL nor OLCUC nor tab expansion can alter it. Random, so no program prints it.
 */
export function createDrainMarker(): Buffer {
  return Buffer.from(`\x1b]7777;RWDRAIN${randomHex(8).toUpperCase()}\x07`);
}

// Length of the longest suffix of `data` that is a proper prefix of `marker`.
function partialMarkerAtEnd(data: Buffer, marker: Buffer): number {
  for (let keep = Math.min(marker.length - 1, data.length); keep > 0; keep--) {
    if (data.subarray(data.length - keep).equals(marker.subarray(0, keep))) return keep;
  }
  return 0;
}
