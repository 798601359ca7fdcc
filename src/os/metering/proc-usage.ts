// The metering's parsing of /proc: the usage fields of `/proc/<pid>/stat` (CPU, resident
// memory, threads), the head of a command line, and the page size. The files are read by
// proc-fs.ts (one shared buffer); its stat parsing rule (fields counted after the last `)`)
// is reused, not copied.
import { endianness } from 'node:os';
import { parseProcStat, readProcBytes, type ProcStat } from '../proc-fs.js';

/** A stat line's identity fields plus what it costs. */
export interface ProcUsage extends ProcStat {
  /** utime + stime (fields 14, 15): CPU of the process itself, all its threads, in ticks. */
  readonly cpuTicks: number;
  /**
   * cutime + cstime (fields 16, 17): CPU of the children it has waited for (and of theirs),
   * in ticks. A child reaped by someone else (init, after it was reparented) is not here.
   */
  readonly reapedTicks: number;
  /** rss (field 24), in pages: the same counter as statm's resident and status's VmRSS. */
  readonly rssPages: number;
  /** num_threads (field 20). */
  readonly threads: number;
}

/** CPU times in /proc are in USER_HZ ticks: 100 a second on every Linux architecture. */
export const MS_PER_TICK = 10;

/** Parses a whole stat line; `undefined` when it is malformed. */
export function parseProcUsage(pid: number, line: string): ProcUsage | undefined {
  const stat = parseProcStat(pid, line);
  if (stat === undefined) return undefined;
  // rest[0] is field 3 (state), so field N is rest[N - 3]; nothing past field 24 is needed.
  const rest = line.slice(line.lastIndexOf(')') + 2).split(' ', 22);
  const cpuTicks = Number(rest[11]) + Number(rest[12]);
  const reapedTicks = Number(rest[13]) + Number(rest[14]);
  const threads = Number(rest[17]);
  const rssPages = Number(rest[21]);
  const valid =
    Number.isSafeInteger(cpuTicks) &&
    Number.isSafeInteger(reapedTicks) &&
    Number.isSafeInteger(threads) &&
    Number.isSafeInteger(rssPages);
  if (!valid) return undefined;
  // One literal shape for every process (a spread made this the slowest step of a scan).
  return {
    pid,
    comm: stat.comm,
    state: stat.state,
    ppid: stat.ppid,
    pgid: stat.pgid,
    sid: stat.sid,
    startTicks: stat.startTicks,
    cpuTicks,
    reapedTicks,
    rssPages,
    threads,
  };
}

/** Reads `/proc/<pid>/stat` with its usage fields; `undefined` once the process is gone. */
export function readProcUsage(pid: number): ProcUsage | undefined {
  const bytes = readProcBytes(`/proc/${pid}/stat`);
  if (bytes === undefined) return undefined;
  return parseProcUsage(pid, bytes.toString('latin1'));
}

/**
 * The first arguments of `/proc/<pid>/cmdline`, joined by spaces and cut at `maxChars`;
 * `undefined` when there are none (a zombie, a kernel thread) or the process is gone.
 */
export function readCommandHead(pid: number, maxChars = 200): string | undefined {
  // A command line can be megabytes long; its head is in the first few kilobytes.
  const bytes = readProcBytes(`/proc/${pid}/cmdline`, 4 * maxChars);
  if (bytes === undefined || bytes.length === 0) return undefined;
  const words = bytes.toString('utf8').split('\0');
  // The terminating NUL leaves an empty last word.
  if (words.at(-1) === '') words.pop();
  const command = words.join(' ');
  return command.length > maxChars ? `${command.slice(0, maxChars - 1)}…` : command;
}

// 32-bit architectures Node runs on: their auxiliary vector has 4-byte words.
const WORD_4 = ['arm', 'ia32', 'mips', 'mipsel', 'ppc', 's390'];
const AT_PAGESZ = 6;

/**
 * The page size, from this process's auxiliary vector (`AT_PAGESZ`, what getpagesize()
 * answers), so no `getconf` process is needed; 4096 if it cannot be read.
 */
export function readPageSize(): number {
  const buffer = readProcBytes('/proc/self/auxv');
  if (buffer === undefined) return 4096;
  const length = buffer.length;
  const word = WORD_4.includes(process.arch) ? 4 : 8;
  const little = endianness() === 'LE';
  const at = (offset: number): number => {
    if (word === 4) return little ? buffer.readUInt32LE(offset) : buffer.readUInt32BE(offset);
    return Number(little ? buffer.readBigUInt64LE(offset) : buffer.readBigUInt64BE(offset));
  };
  for (let offset = 0; offset + 2 * word <= length; offset += 2 * word) {
    if (at(offset) === AT_PAGESZ) return at(offset + word);
  }
  return 4096;
}
