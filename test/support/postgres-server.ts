// A throwaway PostgreSQL cluster on a loopback port, whatever PostgreSQL version the machine
// has (Debian 12 ships 15, Debian 13 ships 17; other systems put initdb on PATH).
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkIdentity, readIdentity } from '../../src/os/process-identity.js';

const DEBIAN_ROOT = '/usr/lib/postgresql';

/** The directory holding initdb and pg_ctl, or null when PostgreSQL is not installed. */
export function findPostgresBin(): string | null {
  // Debian and Ubuntu keep each major version apart; the newest installed one wins.
  const versions = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((name) => /^\d+(\.\d+)?$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const bin = join(DEBIAN_ROOT, version, 'bin');
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  for (const probe of [
    ['pg_config', '--bindir'],
    ['sh', '-c', 'command -v initdb'],
  ] as const) {
    const found = spawnSync(probe[0], probe.slice(1), { encoding: 'utf8' });
    const out = found.status === 0 ? found.stdout.trim() : '';
    if (out === '') continue;
    const bin = out.endsWith('initdb') ? dirname(out) : out;
    if (existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

export interface PostgresCluster {
  /** A connection URL for the `postgres` database as user `runwarden`. */
  readonly url: string;
  readonly port: number;
  /** The data directory (removed by `destroy`). */
  readonly dir: string;
  /** Starts the stopped cluster again on the same port, with its data. A start that fails
   * stops whatever server it got going, then throws. */
  readonly start: () => void;
  /** Stops the server at once (`immediate`), keeping its data; returns once it is gone
   * (verified), throws naming the postmaster's pid when it is not. Nothing if not running. */
  readonly stop: () => void;
  /** Stops the server and deletes its data directory; throws, keeping the directory, when
   * the server cannot be stopped. */
  readonly destroy: () => void;
}

// After pg_ctl gave up on a start, how long its postmaster may take to write its pid file.
const LATE_START_MS = 10_000;
const POLL_MS = 50;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The postmaster's pid from DIR/postmaster.pid; null when there is no such file. */
function postmasterPid(dir: string): number | null {
  const file = join(dir, 'postmaster.pid');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const pid = Number(text.split('\n')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`${file} names no pid`);
  return pid;
}

/** Creates and starts a cluster in a new temporary directory, listening on 127.0.0.1:`port`. */
export function startPostgresCluster(bin: string, port: number): PostgresCluster {
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-pg-'));
  // initdb refuses root: the cluster belongs to the postgres user when we are root.
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const argvOf = (tool: string, args: string[]): [string, string[]] =>
    asPostgres
      ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
      : [join(bin, tool), args];
  const run = (tool: string, args: string[]) => {
    const [command, argv] = argvOf(tool, args);
    execFileSync(command, argv, { stdio: 'pipe' });
  };
  // pg_ctl's own verdict: 0 running, 3 not running (4: no accessible data directory).
  const pgCtl = (args: string[]) => {
    const [command, argv] = argvOf('pg_ctl', ['-D', dir, ...args]);
    const result = spawnSync(command, argv, { encoding: 'utf8' });
    return { status: result.status, said: `${result.stdout}${result.stderr}`.trim() };
  };
  const stop = () => {
    const pid = postmasterPid(dir);
    if (pid === null) return;
    const identity = readIdentity(pid);
    const stopped = pgCtl(['-w', '-m', 'immediate', 'stop']);
    // pg_ctl -w returned once the pid file was gone (or gave up): verify, both ways.
    const status = pgCtl(['status']);
    if (status.status !== 3 || (identity !== undefined && checkIdentity(identity) === 'alive'))
      throw new Error(
        `PostgreSQL in ${dir} did not stop: postmaster pid ${pid} (pg_ctl stop: ${String(stopped.status)} ${stopped.said}; pg_ctl status: ${String(status.status)} ${status.said})`,
      );
  };
  const start = () => {
    try {
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
    } catch (error) {
      // pg_ctl gave up, yet its postmaster may be up, or about to write its pid file.
      const until = Date.now() + LATE_START_MS;
      while (postmasterPid(dir) === null && Date.now() < until) sleepSync(POLL_MS);
      try {
        stop();
      } catch (stopError) {
        const failed = error instanceof Error ? error.message : String(error);
        throw new Error(`${failed}\nthen: ${(stopError as Error).message}`, { cause: stopError });
      }
      throw error;
    }
  };
  try {
    run('initdb', ['-D', dir, '-A', 'trust', '-U', 'runwarden', '--no-sync']);
    start();
  } catch (error) {
    // Only once nothing runs in it: a start that could not stop its server threw naming it.
    const pid = postmasterPid(dir);
    if (pid === null || readIdentity(pid) === undefined)
      rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://runwarden@127.0.0.1:${port}/postgres`,
    port,
    dir,
    start,
    stop,
    destroy: () => {
      try {
        stop();
      } catch (error) {
        const pid = String(postmasterPid(dir));
        throw new Error(`PostgreSQL in ${dir} still runs (postmaster pid ${pid}): kept`, {
          cause: error,
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
