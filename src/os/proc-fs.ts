// The only module that reads /proc. Everything else goes through these typed readers,
// so a test can substitute them and the parsing rules live in one place.
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/** The fields of `/proc/<pid>/stat` runwarden needs. */
export interface ProcStat {
  readonly pid: number;
  /** Command name (may contain spaces and parentheses). */
  readonly comm: string;
  /** One-letter state: R, S, D, Z (zombie), T, t, X, I... */
  readonly state: string;
  readonly ppid: number;
  readonly pgid: number;
  readonly sid: number;
  /** Start time in clock ticks since boot (field 22). Compared raw, never as wall time. */
  readonly startTicks: number;
}

const PROC = '/proc';

/** Parses a stat line. Fields are counted after the LAST `)`: comm may contain `)` and spaces. */
export function parseProcStat(pid: number, line: string): ProcStat | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = line.slice(close + 2).split(' ');
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  const sid = Number(rest[3]);
  const startTicks = Number(rest[19]);
  if (state === undefined || ![ppid, pgid, sid, startTicks].every(Number.isSafeInteger)) {
    return undefined;
  }
  return { pid, comm: line.slice(open + 1, close), state, ppid, pgid, sid, startTicks };
}

// One buffer for every read: a scan reads two files per process, and readFileSync's extra
// fstat, read-to-EOF and allocation per file doubled the cost of a scan here.
let buffer = Buffer.allocUnsafe(16 * 1024);

// Reads a whole /proc file (or its first `limit` bytes) into the shared buffer; returns its
// length. The buffer grows for large environments. Valid only until the next call.
function readProcFile(path: string, limit?: number): number {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (limit !== undefined && length >= limit) return length;
      if (length === buffer.length) {
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) return length;
      length += read;
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads `/proc/<pid>/stat`; `undefined` when the process does not exist (or vanished). */
export function readProcStat(pid: number): ProcStat | undefined {
  let line: string;
  try {
    // Read first: the read may replace `buffer` with a larger one.
    const length = readProcFile(`${PROC}/${pid}/stat`);
    line = buffer.toString('latin1', 0, length);
  } catch (error) {
    if (isGoneError(error)) return undefined;
    throw error;
  }
  return parseProcStat(pid, line);
}

/** Lists the numeric entries of /proc: every process visible to us. */
export function listPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync(PROC)) {
    const code = name.charCodeAt(0);
    if (code >= 48 && code <= 57) pids.push(Number(name));
  }
  return pids;
}

/** A variable read from a process environment, or why there is none. */
export type EnvironValue = { readonly value: string } | 'unset' | 'gone' | 'unreadable';

/** Reads the value of variable `key` in `/proc/<pid>/environ`. */
export function readEnvironValue(pid: number, key: string): EnvironValue {
  let environ: Buffer;
  try {
    const length = readProcFile(`${PROC}/${pid}/environ`);
    environ = buffer.subarray(0, length);
  } catch (error) {
    return isGoneError(error) ? 'gone' : 'unreadable';
  }
  const prefix = Buffer.from(`${key}=`);
  let from = 0;
  for (;;) {
    const at = environ.indexOf(prefix, from);
    if (at < 0) return 'unset';
    if (at === 0 || environ[at - 1] === 0) {
      const end = environ.indexOf(0, at);
      return {
        value: environ.toString('utf8', at + prefix.length, end < 0 ? environ.length : end),
      };
    }
    from = at + 1;
  }
}

/** Reads the boot id, which changes at every boot and so scopes every pid and start time. */
export function readBootId(): string {
  return readFileSync(`${PROC}/sys/kernel/random/boot_id`, 'latin1').trim();
}

/** True when /proc is mounted and looks like Linux procfs. */
export function hasProcFs(): boolean {
  try {
    readFileSync(`${PROC}/self/stat`);
    return true;
  } catch {
    return false;
  }
}

// ENOENT: no such pid. ESRCH: the process died while we read it.
/**
 * The bytes of a /proc file (its first `limit` bytes at least, when given), or undefined
 * once the process is gone. A view of a shared buffer: valid only until the next read.
 */
export function readProcBytes(path: string, limit?: number): Buffer | undefined {
  try {
    return buffer.subarray(0, readProcFile(path, limit));
  } catch (error) {
    if (isGoneError(error)) return undefined;
    throw error;
  }
}

/** A /proc file as text (utf8), or undefined once the process it describes is gone. */
export function readProcText(path: string): string | undefined {
  return readProcBytes(path)?.toString('utf8');
}

function isGoneError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** Seconds since boot (`/proc/uptime`), the clock start times are counted on. */
export function readUptimeSeconds(): number {
  const length = readProcFile(`${PROC}/uptime`);
  return Number(buffer.toString('latin1', 0, length).split(' ')[0]);
}
