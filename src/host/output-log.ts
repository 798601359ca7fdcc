// A durable run's output on disk: append-only segment files named by the absolute offset of
// their first byte. When the log passes its cap the oldest whole segments are deleted, so
// offsets stay absolute forever and a reader that asks for dropped bytes is told how many.
// Segments (not one file trimmed in place) keep every write an append: a crash can lose at
// most the tail of the last write, never reorder or duplicate bytes.
import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

const SEGMENT_PREFIX = 'out.';
const OFFSET_DIGITS = 16;
/** Segments per cap: the log keeps between 3/4 of the cap and the cap itself. */
const SEGMENTS_PER_CAP = 4;

/** Bytes read back from a log. */
export interface LogSlice {
  readonly data: Buffer;
  /** Absolute offset of the first byte of `data`. */
  readonly offset: number;
  /** The offset just after `data`: pass it as `since` next time. */
  readonly nextOffset: number;
  /** Bytes between `since` and `offset` that were dropped by the cap. */
  readonly droppedBytes: number;
}

interface Segment {
  readonly start: number;
  readonly path: string;
  length: number;
}

function segmentName(start: number): string {
  return `${SEGMENT_PREFIX}${String(start).padStart(OFFSET_DIGITS, '0')}`;
}

/** The segments of a log, oldest first (empty when the directory does not exist). */
function listSegments(dir: string): Segment[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const segments: Segment[] = [];
  for (const name of names) {
    if (!name.startsWith(SEGMENT_PREFIX)) continue;
    const start = Number(name.slice(SEGMENT_PREFIX.length));
    if (!Number.isSafeInteger(start) || start < 0) continue;
    const path = join(dir, name);
    const fd = openSync(path, 'r');
    try {
      segments.push({ start, path, length: fstatSync(fd).size });
    } finally {
      closeSync(fd);
    }
  }
  return segments.sort((a, b) => a.start - b.start);
}

/** Appends a run's output to its log directory (created 0700, files 0600). */
export class OutputLogWriter {
  private readonly segments: Segment[];
  private fd: number | null = null;
  private readonly segmentBytes: number;

  constructor(
    private readonly dir: string,
    private readonly capBytes: number,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.segmentBytes = Math.max(1, Math.floor(capBytes / SEGMENTS_PER_CAP));
    // A host restarted over an existing log continues at its end.
    this.segments = listSegments(dir);
  }

  /** Total bytes ever appended: the next offset. */
  get end(): number {
    const last = this.segments.at(-1);
    return last === undefined ? 0 : last.start + last.length;
  }

  /** Appends `chunk`; returns the absolute offset of its first byte. */
  append(chunk: Buffer): number {
    const offset = this.end;
    let rest = chunk;
    while (rest.length > 0) {
      const segment = this.writableSegment();
      const room = this.segmentBytes - segment.length;
      const part = rest.length > room ? rest.subarray(0, room) : rest;
      writeAll(this.fd as number, part);
      segment.length += part.length;
      rest = rest.subarray(part.length);
    }
    this.trim();
    return offset;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private writableSegment(): Segment {
    const last = this.segments.at(-1);
    if (last !== undefined && this.fd !== null && last.length < this.segmentBytes) return last;
    this.close();
    if (last !== undefined && last.length < this.segmentBytes) {
      this.fd = openSync(last.path, 'a', 0o600);
      return last;
    }
    const start = this.end;
    const segment: Segment = { start, path: join(this.dir, segmentName(start)), length: 0 };
    this.fd = openSync(segment.path, 'a', 0o600);
    this.segments.push(segment);
    return segment;
  }

  // Drops the oldest whole segments while the log holds more than its cap.
  private trim(): void {
    let retained = this.segments.reduce((sum, segment) => sum + segment.length, 0);
    while (this.segments.length > 1 && retained > this.capBytes) {
      const oldest = this.segments.shift() as Segment;
      retained -= oldest.length;
      unlinkSync(oldest.path);
    }
  }
}

function writeAll(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written);
}

/**
 * Reads up to `maxBytes` of the log from `since` (absolute). Bytes before the oldest kept
 * segment are reported as dropped. Throws RangeError for a `since` past the end.
 */
export function readOutputLog(dir: string, since: number, maxBytes: number): LogSlice {
  const segments = listSegments(dir);
  const first = segments[0];
  const last = segments.at(-1);
  const end = last === undefined ? 0 : last.start + last.length;
  if (!Number.isSafeInteger(since) || since < 0 || since > end) {
    throw new RangeError(`since must be an integer offset from 0 to ${end}, got ${since}`);
  }
  const from = Math.max(since, first?.start ?? 0);
  const parts: Buffer[] = [];
  let wanted = Math.min(maxBytes, end - from);
  let at = from;
  for (const segment of segments) {
    if (wanted <= 0) break;
    const segmentEnd = segment.start + segment.length;
    if (segmentEnd <= at) continue;
    const length = Math.min(wanted, segmentEnd - at);
    const buffer = Buffer.alloc(length);
    const fd = openSync(segment.path, 'r');
    try {
      let read = 0;
      while (read < length) {
        const n = readSync(fd, buffer, read, length - read, at - segment.start + read);
        if (n === 0) break;
        read += n;
      }
      parts.push(buffer.subarray(0, read));
      at += read;
      wanted -= read;
    } finally {
      closeSync(fd);
    }
  }
  const data = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  return { data, offset: from, nextOffset: from + data.length, droppedBytes: from - since };
}

/** The log's end offset (0 when it does not exist). */
export function outputLogEnd(dir: string): number {
  const last = listSegments(dir).at(-1);
  return last === undefined ? 0 : last.start + last.length;
}

/** Deletes a run's log directory. */
export function removeOutputLog(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
