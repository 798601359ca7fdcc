// A bounded output buffer with absolute byte offsets: old bytes are dropped when it is
// full, but offsets keep counting from the first byte the run ever wrote, so a polling
// client that passes back `nextOffset` never misses or repeats output.
import { InvalidOptionError } from '../errors.js';

/** Output read from a run. */
export interface OutputSlice {
  /** The bytes from `offset` up to `nextOffset`. */
  readonly data: Buffer;
  /** `data` decoded as UTF-8. */
  readonly text: string;
  /** Absolute offset of the first byte of `data`. */
  readonly offset: number;
  /** Pass this as `since` next time. */
  readonly nextOffset: number;
  /** Bytes between `since` and `offset` that were dropped because the buffer was full. */
  readonly droppedBytes: number;
}

export class OutputBuffer {
  private chunks: Buffer[] = [];
  private head = 0;
  private firstOffset: number;
  private retained = 0;
  private total: number;

  /** `startOffset`: absolute offset of the first byte this buffer will hold. */
  constructor(
    private readonly maxBytes: number,
    startOffset = 0,
  ) {
    this.firstOffset = startOffset;
    this.total = startOffset;
  }

  /** Absolute offset of the oldest byte still held. */
  get first(): number {
    return this.firstOffset;
  }

  /** Total bytes ever appended: the next offset. */
  get end(): number {
    return this.total;
  }

  /** Appends a chunk; returns the absolute offset of its first byte. */
  append(chunk: Buffer): number {
    const offset = this.total;
    this.chunks.push(chunk);
    this.retained += chunk.length;
    this.total += chunk.length;
    this.trim();
    return offset;
  }

  /** Counts `bytes` that were never seen (lost upstream): offsets move on, nothing is kept. */
  skip(bytes: number): void {
    this.chunks = [];
    this.head = 0;
    this.retained = 0;
    this.total += bytes;
    this.firstOffset = this.total;
  }

  /** Returns the retained bytes at or after `since`. */
  read(since = 0): OutputSlice {
    if (!Number.isSafeInteger(since) || since < 0 || since > this.total) {
      throw new InvalidOptionError('since', since, `an integer offset from 0 to ${this.total}`);
    }
    const from = Math.max(since, this.firstOffset);
    const parts: Buffer[] = [];
    let at = this.firstOffset;
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i] as Buffer;
      const chunkEnd = at + chunk.length;
      if (chunkEnd > from) parts.push(from > at ? chunk.subarray(from - at) : chunk);
      at = chunkEnd;
    }
    const data = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    return {
      data,
      text: data.toString('utf8'),
      offset: from,
      nextOffset: this.total,
      droppedBytes: from - since,
    };
  }

  private trim(): void {
    while (this.retained > this.maxBytes && this.head < this.chunks.length) {
      const first = this.chunks[this.head] as Buffer;
      const excess = this.retained - this.maxBytes;
      if (first.length > excess) {
        this.chunks[this.head] = first.subarray(excess);
        this.firstOffset += excess;
        this.retained -= excess;
        break;
      }
      this.head++;
      this.firstOffset += first.length;
      this.retained -= first.length;
    }
    // Compact now and then, so dropped chunks can be collected.
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
