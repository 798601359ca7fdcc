// A member of an agent session for group tests: a shell loop that logs each start (with its
// generation) and each SIGTERM to one shared file, and fails (exit 1) when its fail file
// appears. The log's order is the order the group started and stopped its members.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSpec } from '../../src/index.js';

export interface SessionLog {
  readonly dir: string;
  /** A spec for member `name` (`on-failure` unless told otherwise). */
  member(name: string, overrides?: Partial<RunSpec>): RunSpec;
  /** Makes member `name` exit 1 at its next check (within about 50 ms). */
  fail(name: string): void;
  /** The log lines so far: `start NAME GEN` and `stop NAME`. */
  lines(): string[];
}

export function sessionLog(dir: string): SessionLog {
  const log = join(dir, 'session.log');
  return {
    dir,
    member: (name, overrides = {}) => ({
      command: 'sh',
      args: [
        '-c',
        [
          `echo "start ${name} $RUNWARDEN_RUN_GENERATION" >> ${log}`,
          `trap 'echo "stop ${name}" >> ${log}; exit 0' TERM`,
          `while [ ! -f ${join(dir, `fail-${name}`)} ]; do sleep 0.05; done`,
          `rm -f ${join(dir, `fail-${name}`)}`,
          'exit 1',
        ].join('; '),
      ],
      restart: 'on-failure',
      restartDelayMs: 0,
      killGraceMs: 2000,
      ...overrides,
    }),
    fail: (name) => {
      writeFileSync(join(dir, `fail-${name}`), '');
    },
    lines: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
  };
}
