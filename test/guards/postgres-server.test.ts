// The throwaway PostgreSQL helper (test/support/postgres-server.ts) the store tests stand on:
// stop returns once the postmaster is gone (verified), a start pg_ctl gives up on stops the
// server it got going, and destroy never deletes the data of a server that still runs.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, onTestFinished } from 'vitest';
import {
  checkIdentity,
  readIdentity,
  type ProcessIdentity,
} from '../../src/os/process-identity.js';
import { postgresService } from '../support/machine-requirements.js';
import { startPostgresCluster, type PostgresCluster } from '../support/postgres-server.js';
import { freePort } from '../support/redis-server.js';
import { testNeeding, type Requirement } from '../support/requirements.js';

const root: Requirement = {
  what: 'root (a data directory its postgres owner cannot enter)',
  missing: process.getuid?.() === 0 ? null : 'not running as root',
  howToGet: 'run the suite as root, as .ci/run does',
};
const needsPostgres = testNeeding(postgresService());

async function cluster(): Promise<PostgresCluster> {
  const bin = inject('postgresBin');
  if (bin === null) throw new Error('the global setup found no PostgreSQL binaries');
  const started = startPostgresCluster(bin, await freePort());
  onTestFinished(() => {
    if (existsSync(started.dir)) started.destroy();
  });
  return started;
}

function postmaster(dir: string): ProcessIdentity {
  const pid = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const identity = readIdentity(pid);
  if (identity === undefined) throw new Error(`postmaster ${pid} is not alive`);
  return identity;
}

function selectOne(db: PostgresCluster): string {
  const bin = inject('postgresBin') ?? '';
  const psql = existsSync(join(bin, 'psql')) ? join(bin, 'psql') : 'psql';
  return execFileSync(psql, ['-X', '-A', '-t', '-d', db.url, '-c', 'SELECT 1'], {
    encoding: 'utf8',
  }).trim();
}

const immediateShutdowns = (db: PostgresCluster) =>
  readFileSync(join(db.dir, 'server.log'), 'utf8').split('received immediate shutdown request')
    .length - 1;

needsPostgres('stop returns once the postmaster is gone; start and destroy', async () => {
  const db = await cluster();
  expect(selectOne(db)).toBe('1');
  const first = postmaster(db.dir);
  db.stop();
  // No wait: stop returned only once the postmaster was gone.
  expect(checkIdentity(first)).not.toBe('alive');
  expect(existsSync(join(db.dir, 'postmaster.pid'))).toBe(false);
  db.stop(); // nothing runs: nothing to do
  db.start();
  expect(selectOne(db)).toBe('1');
  const second = postmaster(db.dir);
  db.destroy();
  expect(checkIdentity(second)).not.toBe('alive');
  expect(existsSync(db.dir)).toBe(false);
});

needsPostgres('a start pg_ctl gives up on stops the server it got going', async () => {
  const db = await cluster();
  db.stop();
  const before = immediateShutdowns(db);
  // pg_ctl reads its wait bound from PGCTLTIMEOUT: 0 gives up at once, the postmaster
  // starting regardless (runuser passes the environment on).
  process.env.PGCTLTIMEOUT = '0';
  try {
    expect(() => {
      db.start();
    }).toThrow(/server did not start in time/);
  } finally {
    delete process.env.PGCTLTIMEOUT;
  }
  // That postmaster was started, then stopped by the helper: nothing runs in the directory.
  expect(immediateShutdowns(db)).toBe(before + 1);
  expect(existsSync(join(db.dir, 'postmaster.pid'))).toBe(false);
  db.start();
  expect(selectOne(db)).toBe('1');
});

testNeeding(root, postgresService())(
  'destroy keeps the data directory, naming the pid, while the server cannot be stopped',
  async () => {
    const db = await cluster();
    const running = postmaster(db.dir);
    // pg_ctl (as user postgres) can no longer read the pid file; root still can.
    chmodSync(db.dir, 0o000);
    try {
      expect(() => {
        db.destroy();
      }).toThrow(`PostgreSQL in ${db.dir} still runs (postmaster pid ${running.pid}): kept`);
      expect(existsSync(join(db.dir, 'PG_VERSION'))).toBe(true);
      expect(checkIdentity(running)).toBe('alive');
    } finally {
      chmodSync(db.dir, 0o700);
    }
    db.destroy();
    expect(checkIdentity(running)).not.toBe('alive');
    expect(existsSync(db.dir)).toBe(false);
  },
);
