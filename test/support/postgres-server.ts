// A throwaway PostgreSQL cluster on a loopback port, whatever PostgreSQL version the machine
// has (Debian 12 ships 15, Debian 13 ships 17; other systems put initdb on PATH).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

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
  /** Starts the stopped cluster again on the same port, with its data. */
  readonly start: () => void;
  /** Stops the server at once (`immediate`), keeping its data. */
  readonly stop: () => void;
  /** Stops the server and deletes its data directory. */
  readonly destroy: () => void;
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
  const run = (tool: string, args: string[]) => {
    const command = asPostgres ? 'runuser' : join(bin, tool);
    const argv = asPostgres ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    execFileSync(command, argv, { stdio: 'pipe' });
  };
  const start = () => {
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
  };
  const stop = () => {
    spawnSync(asPostgres ? 'runuser' : join(bin, 'pg_ctl'), [
      ...(asPostgres ? ['-u', 'postgres', '--', join(bin, 'pg_ctl')] : []),
      '-D',
      dir,
      '-w',
      '-m',
      'immediate',
      'stop',
    ]);
  };
  try {
    run('initdb', ['-D', dir, '-A', 'trust', '-U', 'runwarden', '--no-sync']);
    start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://runwarden@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy: () => {
      try {
        stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
