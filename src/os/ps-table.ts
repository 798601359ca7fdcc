// The portable process table, through `ps` (macOS; also runs on Linux procps, where the
// tests force it). Best effort, and weaker than /proc in three documented ways:
// - start time has a one-second resolution (pid reuse within the same second is missed);
// - there is no portable session id: session membership is not used (sid is -1);
// - environments are parsed from `ps` output split on spaces, so a marker is matched as a
//   whole `KEY=value` word, and only for processes of our own user (or all, as root).
import { execFileSync } from 'node:child_process';
import type { EnvironValue, ProcStat } from './proc-fs.js';
import type { ProcessTable } from './process-table.js';

// C locale and UTC: `lstart` is then parseable and does not move with the time zone.
const PS_ENV = { ...process.env, LC_ALL: 'C', TZ: 'UTC' };
const FIELDS = 'pid=,ppid=,pgid=,uid=,stat=,lstart=,comm=';

export function createPsTable(): ProcessTable {
  let bootId: string | undefined;
  return {
    kind: 'ps',
    bootId: () => (bootId ??= readBootTime()),
    list: () => parseRows(ps(['-A', '-o', FIELDS])),
    stat: (pid) => parseRows(ps(['-p', String(pid), '-o', FIELDS]))[0],
    environValues: (pids, key) => readEnvironments(pids, key),
  };
}

/** Parses `ps -o pid=,ppid=,pgid=,uid=,stat=,lstart=,comm=` rows. */
export function parseRows(output: string): ProcStat[] {
  const rows: ProcStat[] = [];
  for (const line of output.split('\n')) {
    // lstart is five words: "Mon Nov 23 22:23:04 2026".
    const match =
      /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\w{3}\s+\w{3}\s+\d+\s+[\d:]+\s+\d+)\s+(.*)$/.exec(
        line,
      );
    if (match === null) continue;
    const startedMs = Date.parse(`${match[6] ?? ''} GMT`);
    if (Number.isNaN(startedMs)) continue;
    rows.push({
      pid: Number(match[1]),
      ppid: Number(match[2]),
      pgid: Number(match[3]),
      sid: -1,
      state: (match[5] ?? '?').charAt(0),
      startTicks: startedMs / 1000,
      comm: match[7] ?? '',
    });
  }
  return rows;
}

function readEnvironments(pids: readonly number[], key: string): Map<number, EnvironValue> {
  const wanted = new Set(pids);
  const values = new Map<number, EnvironValue>();
  const self = process.getuid?.() ?? -1;
  // macOS: -E appends the environment; procps: the `e` modifier does.
  const args =
    process.platform === 'darwin'
      ? ['-A', '-E', '-o', 'pid=,uid=,command=']
      : ['-A', 'e', '-o', 'pid=,uid=,command='];
  const prefix = `${key}=`;
  for (const line of ps(args).split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line);
    if (match === null) continue;
    const pid = Number(match[1]);
    if (!wanted.has(pid)) continue;
    if (self !== 0 && Number(match[2]) !== self) {
      values.set(pid, 'unreadable'); // ps shows only our own processes' environments
      continue;
    }
    const word = (match[3] ?? '').split(' ').find((w) => w.startsWith(prefix));
    values.set(pid, word === undefined ? 'unset' : { value: word.slice(prefix.length) });
  }
  for (const pid of wanted) if (!values.has(pid)) values.set(pid, 'gone');
  return values;
}

function readBootTime(): string {
  if (process.platform === 'darwin') return ps([], 'sysctl', ['-n', 'kern.boottime']).trim();
  return ps([], 'uptime', ['-s']).trim();
}

// `ps -p` exits 1 when the pid does not exist: that is an empty table, not an error.
function ps(args: string[], command = 'ps', commandArgs = args): string {
  try {
    return execFileSync(command, commandArgs, {
      env: PS_ENV,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (command === 'ps' && status === 1) return '';
    throw error;
  }
}
