// The metering's /proc readers: a stat line's usage fields, command heads, the page size.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import {
  parseProcUsage,
  readCommandHead,
  readPageSize,
  readProcUsage,
} from '../../../src/os/metering/proc-usage.js';
import { destroyAllSpawned, spawnProcess } from '../../support/spawn-tree.js';
import { waitUntil } from '../../support/wait-for.js';

afterEach(destroyAllSpawned);

// Above PID_MAX_LIMIT (2^22): no process can ever have this pid.
const IMPOSSIBLE_PID = 2 ** 22 + 1;

/** A stat line whose fields 4.. are `ppid pgid sid tty ...`, with the usage fields set. */
function statLine(comm: string): string {
  // Fields 3..24: state ppid pgid sid tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss
  const fields = ['S', 7, 8, 9, 0, -1, 0, 0, 0, 0, 0, 11, 22, 33, 44, 20, 0, 5, 0, 98765, 1, 321];
  return `1234 (${comm}) ${[...fields, ...Array.from({ length: 28 }, () => 0)].join(' ')}\n`;
}

describe('parseProcUsage', () => {
  test('reads CPU, reaped CPU, RSS and threads after the last parenthesis', () => {
    expect(parseProcUsage(1234, statLine('a) (b c'))).toEqual({
      pid: 1234,
      comm: 'a) (b c',
      state: 'S',
      ppid: 7,
      pgid: 8,
      sid: 9,
      startTicks: 98765,
      cpuTicks: 33,
      reapedTicks: 77,
      rssPages: 321,
      threads: 5,
    });
  });

  test('refuses a truncated line', () => {
    expect(parseProcUsage(1, '1 (x) S 1 1 1 0 -1 0 0 0 0 0 1 2')).toBeUndefined();
  });
});

describe('readProcUsage', () => {
  test('reads this process: threads, memory and CPU as Node sees them', () => {
    const usage = readProcUsage(process.pid);
    const page = readPageSize();
    expect(usage?.pid).toBe(process.pid);
    expect(usage?.threads).toBeGreaterThan(1);
    const rss = (usage?.rssPages ?? 0) * page;
    // process.memoryUsage().rss reads the same counter; allow for what changed meanwhile.
    expect(Math.abs(rss - process.memoryUsage().rss)).toBeLessThan(16 << 20);
    expect(usage?.cpuTicks).toBeGreaterThan(0);
  });

  test('a process that does not exist reads as undefined', () => {
    expect(readProcUsage(IMPOSSIBLE_PID)).toBeUndefined();
    expect(readCommandHead(IMPOSSIBLE_PID)).toBeUndefined();
  });
});

describe('readCommandHead', () => {
  test('joins the arguments and cuts a long command line', () => {
    const tree = spawnProcess('bash', ['-c', 'sleep 302; :', 'x'.repeat(5000)]);
    const head = readCommandHead(tree.pid, 50);
    expect(head).toBe(`bash -c sleep 302; : ${'x'.repeat(28)}…`);
    expect(head).toHaveLength(50);
  });

  test('reads a short command line whole', async () => {
    const tree = spawnProcess('sleep', ['301']);
    expect(await waitUntil(() => readCommandHead(tree.pid), 5000, 'a command line')).toBe(
      'sleep 301',
    );
  });
});

test('the page size is the one getconf reports', () => {
  expect(readPageSize()).toBe(Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' })));
});
