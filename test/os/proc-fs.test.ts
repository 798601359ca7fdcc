import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, test } from 'vitest';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import {
  hasProcFs,
  listPids,
  parseProcStat,
  readBootId,
  readEnvironValue,
  readProcStat,
} from '../../src/os/proc-fs.js';
import { runOsScript } from '../support/run-os-script.js';
import { destroyAllSpawned, spawnProcess, uniqueRunId } from '../support/spawn-tree.js';
import { testNeeding } from '../support/requirements.js';
import { nobodyUser } from '../support/run-as-nobody.js';

// The tests that act as user nobody: they need root and that user (skipped loudly elsewhere).
const testAsNobody = testNeeding(nobodyUser());

// Above PID_MAX_LIMIT (2^22): no process can ever have this pid.
const IMPOSSIBLE_PID = 2 ** 22 + 1;

afterEach(destroyAllSpawned);

/** A full 52-field stat line, as the kernel writes it (trailing newline included). */
function statLine(fields: {
  pid?: number;
  comm: string;
  state?: string;
  ppid?: number;
  pgid?: number;
  sid?: number;
  startTicks?: number;
}): string {
  const head = [
    fields.state ?? 'S',
    fields.ppid ?? 1,
    fields.pgid ?? 1234,
    fields.sid ?? 1234,
    // tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority
    // nice num_threads itrealvalue
    ...[0, -1, 4194560, 120, 0, 0, 0, 1, 2, 0, 0, 20, 0, 1, 0],
    fields.startTicks ?? 98765,
  ];
  const tail = Array.from({ length: 30 }, (_, i) => i);
  return `${fields.pid ?? 1234} (${fields.comm}) ${[...head, ...tail].join(' ')}\n`;
}

describe('parseProcStat', () => {
  test('reads the fields runwarden needs from a well-formed line', () => {
    expect(
      parseProcStat(
        1234,
        statLine({ comm: 'sleep', state: 'R', ppid: 7, pgid: 8, sid: 9, startTicks: 424242 }),
      ),
    ).toEqual({
      pid: 1234,
      comm: 'sleep',
      state: 'R',
      ppid: 7,
      pgid: 8,
      sid: 9,
      startTicks: 424242,
    });
  });

  test('counts fields after the LAST parenthesis: comm may hold spaces and ")"', () => {
    const line = statLine({ comm: 'a) b (c)', ppid: 1, pgid: 2, sid: 3, startTicks: 555 });
    expect(line.startsWith('1234 (a) b (c)) S 1 2 3 ')).toBe(true);
    expect(parseProcStat(1234, line)).toEqual({
      pid: 1234,
      comm: 'a) b (c)',
      state: 'S',
      ppid: 1,
      pgid: 2,
      sid: 3,
      startTicks: 555,
    });
  });

  test('a comm that mimics stat fields cannot spoof them', () => {
    // A process may name itself anything (prctl PR_SET_NAME): here "x) R 7 7 7".
    const stat = parseProcStat(
      1234,
      statLine({ comm: 'x) R 7 7 7', state: 'S', ppid: 1, pgid: 2, sid: 3 }),
    );
    expect(stat).toMatchObject({ comm: 'x) R 7 7 7', state: 'S', ppid: 1, pgid: 2, sid: 3 });
  });

  test('accepts an empty comm and a comm with only "("', () => {
    expect(parseProcStat(1, statLine({ comm: '' }))?.comm).toBe('');
    expect(parseProcStat(1, statLine({ comm: '((' }))?.comm).toBe('((');
  });

  test('keeps the state letter as is, including zombies', () => {
    expect(parseProcStat(1, statLine({ comm: 'z', state: 'Z' }))?.state).toBe('Z');
  });

  test('uses the pid it is given, not the one in the line', () => {
    expect(parseProcStat(42, statLine({ pid: 1234, comm: 'x' }))?.pid).toBe(42);
  });

  test.each([
    ['an empty line', ''],
    ['a line without parentheses', '1234 sleep S 1 2 3'],
    ['")" before "("', `1234 )sleep( ${statLine({ comm: 'x' }).split(') ')[1] ?? ''}`],
    ['a line cut after the comm', '1234 (sleep)'],
    ['a line cut after the state', '1234 (sleep) S'],
    ['a line cut before the start time', statLine({ comm: 'x' }).split(' ').slice(0, 21).join(' ')],
    ['a non-numeric ppid', statLine({ comm: 'x' }).replace(') S 1 ', ') S one ')],
    [
      'a fractional pgid',
      statLine({ comm: 'x', pgid: 1234 }).replace(' 1234 1234 ', ' 12.5 1234 '),
    ],
    [
      'a non-numeric start time',
      statLine({ comm: 'x', startTicks: 98765 }).replace(' 98765 ', ' soon '),
    ],
  ])('rejects %s', (_name, line) => {
    expect(parseProcStat(1234, line)).toBeUndefined();
  });
});

describe('readProcStat', () => {
  test('reads this process and agrees with parsing the file directly', () => {
    const stat = readProcStat(process.pid);
    expect(stat).toEqual(parseProcStat(process.pid, readFileSync('/proc/self/stat', 'latin1')));
    expect(stat?.ppid).toBe(process.ppid);
    expect(stat?.comm).toBe(readFileSync('/proc/self/comm', 'latin1').trimEnd());
    expect(Number.isSafeInteger(stat?.startTicks)).toBe(true);
    expect(stat?.startTicks).toBeGreaterThan(0);
  });

  test('reads a child spawned into its own session as leader of group and session', () => {
    const tree = spawnProcess('sleep', ['30']);
    expect(readProcStat(tree.pid)).toMatchObject({
      pid: tree.pid,
      comm: 'sleep',
      ppid: process.pid,
      pgid: tree.pid,
      sid: tree.pid,
    });
  });

  test('returns undefined for a pid that does not exist', () => {
    expect(readProcStat(IMPOSSIBLE_PID)).toBeUndefined();
  });
});

describe('listPids', () => {
  test('lists this process, its parent and init, as positive integers without duplicates', () => {
    const pids = listPids();
    expect(pids).toContain(process.pid);
    expect(pids).toContain(process.ppid);
    expect(pids).toContain(1);
    expect(pids.every((pid) => Number.isSafeInteger(pid) && pid > 0)).toBe(true);
    expect(new Set(pids).size).toBe(pids.length);
  });

  test('lists a freshly spawned child', () => {
    const tree = spawnProcess('sleep', ['30']);
    expect(listPids()).toContain(tree.pid);
  });
});

describe('readEnvironValue on a real process', () => {
  const env = {
    RW_PROBE: 'value with spaces=and equals',
    RW_PROBE_LONGER: 'x',
    RW_OUTER: 'RW_INNER=1',
    RW_EMPTY: '',
    RW_UNICODE: 'héllo ✓',
  };

  test('readEnvironValue reads values and never a suffix, prefix or value of another entry', () => {
    const tree = spawnProcess('sleep', ['30'], { env, runId: uniqueRunId('proc-fs') });
    const read = (key: string) => readEnvironValue(tree.pid, key);
    expect(read(RUN_MARKER)).toEqual({ value: tree.runId });
    expect(read('RW_PROBE')).toEqual({ value: 'value with spaces=and equals' });
    expect(read('RW_PROBE_LONGER')).toEqual({ value: 'x' });
    expect(read('RW_OUTER')).toEqual({ value: 'RW_INNER=1' });
    expect(read('RW_EMPTY')).toEqual({ value: '' });
    expect(read('RW_UNICODE')).toEqual({ value: 'héllo ✓' });
    expect(read('RW_INNER')).toBe('unset');
    expect(read('PROBE')).toBe('unset');
    expect(read('RW_PROB')).toBe('unset');
    expect(read('RW_NOT_THERE')).toBe('unset');
  });

  test('an unmarked process does not carry the marker', () => {
    const tree = spawnProcess('sleep', ['30'], { runId: null });
    expect(readEnvironValue(tree.pid, RUN_MARKER)).toBe('unset');
  });

  test('a pid that does not exist is gone', () => {
    expect(readEnvironValue(IMPOSSIBLE_PID, 'A')).toBe('gone');
  });

  testAsNobody("another user's environment is unreadable, never absent", async () => {
    // As nobody, root's processes (pid 1, this test worker) have an environment we cannot read.
    const result = await runOsScript(
      `import { readEnvironValue } from './proc-fs.js';
       console.log(JSON.stringify(INPUT.map((pid) => [readEnvironValue(pid, 'PATH')])));`,
      [1, process.pid],
    );
    expect(result).toEqual([['unreadable'], ['unreadable']]);
  });
});

describe('readBootId', () => {
  test('is the kernel boot id: a v4 UUID without whitespace, stable across reads', () => {
    const id = readBootId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(readBootId()).toBe(id);
  });
});

describe('hasProcFs', () => {
  test('is true on Linux with /proc mounted', () => {
    expect(hasProcFs()).toBe(true);
  });
});
