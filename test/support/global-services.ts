// Global setup: throwaway Redis and PostgreSQL servers on free loopback ports, for the
// store contract suite. Started only when their binaries are installed (.ci/run installs
// them); otherwise those suites are skipped and say so loudly. Stopped after the suite.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, onPath, startRedisOn, stopRedisOn } from './redis-server.js';

const PG_BIN = '/usr/lib/postgresql/15/bin';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string | null;
    postgresUrl: string | null;
    servicesNote: string;
  }
}

export async function setup(project: TestProject): Promise<() => void> {
  const notes: string[] = [];
  const stops: Array<() => void> = [];
  const redisUrl = await startRedis(notes, stops);
  const postgresUrl = await startPostgres(notes, stops);
  project.provide('redisUrl', redisUrl);
  project.provide('postgresUrl', postgresUrl);
  project.provide('servicesNote', notes.join('; '));
  for (const note of notes) console.warn(`[services] ${note}`);
  return () => {
    for (const stop of stops.reverse()) stop();
  };
}

async function startRedis(notes: string[], stops: Array<() => void>): Promise<string | null> {
  if (!onPath('redis-server')) {
    notes.push(
      'SKIPPING Redis store tests: redis-server is not installed (apt-get install redis-server)',
    );
    return null;
  }
  const port = await freePort();
  startRedisOn(port);
  stops.push(() => {
    stopRedisOn(port);
  });
  return `redis://127.0.0.1:${port}`;
}

async function startPostgres(notes: string[], stops: Array<() => void>): Promise<string | null> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    notes.push(
      'SKIPPING PostgreSQL store tests: PostgreSQL 15 is not installed (apt-get install postgresql)',
    );
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-pg-'));
  // initdb refuses root: the cluster belongs to the postgres user when we are root.
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const run = (bin: string, args: string[]) => {
    const command = asPostgres ? 'runuser' : join(PG_BIN, bin);
    const argv = asPostgres ? ['-u', 'postgres', '--', join(PG_BIN, bin), ...args] : args;
    execFileSync(command, argv, { stdio: 'pipe' });
  };
  const port = await freePort();
  run('initdb', ['-D', dir, '-A', 'trust', '-U', 'runwarden', '--no-sync']);
  run('pg_ctl', [
    '-D',
    dir,
    '-w',
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    'start',
  ]);
  stops.push(() => {
    try {
      run('pg_ctl', ['-D', dir, '-w', '-m', 'immediate', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return `postgres://runwarden@127.0.0.1:${port}/postgres`;
}
