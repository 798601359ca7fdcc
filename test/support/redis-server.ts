// A throwaway redis-server on a loopback port, for tests that start and stop it themselves.
// Synchronous on purpose: a test stops the server from inside an event handler, at the
// instant it chooses. Start returns once the server answers PING as itself; stop ends only
// the server this module started (checked by its pid over Redis's own protocol) and returns
// once that process is gone. Never by name.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkIdentity,
  readIdentity,
  type ProcessIdentity,
} from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';

// Seconds, not milliseconds: Redis is up in a few ms, on a machine whose two cores other
// tests keep busy it may take much longer.
const START_WAIT_MS = 15_000;
const STOP_WAIT_MS = 15_000;
const POLL_MS = 50;

interface StartedServer {
  readonly identity: ProcessIdentity;
  /** Holds its pid file and log. */
  readonly dir: string;
}
// The servers this process started, by port.
const started = new Map<number, StartedServer>();

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** True when `binary` is on PATH. */
export function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** What `redis-cli` printed, or null when it could not talk to a server on `port`. */
function redisCli(port: number, ...args: string[]): string | null {
  const run = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return run.status === 0 ? run.stdout : null;
}

/** The pid of the server answering on `port` (INFO server's process_id), or null. */
export function redisPidOn(port: number): number | null {
  const match = /^process_id:(\d+)\r?$/m.exec(redisCli(port, 'info', 'server') ?? '');
  return match?.[1] === undefined ? null : Number(match[1]);
}

function readPidFile(path: string): number | null {
  if (!existsSync(path)) return null;
  const pid = Number(readFileSync(path, 'utf8').trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function logTail(dir: string): string {
  const log = join(dir, 'redis.log');
  return existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '(no log)';
}

/** Waits (bounded) until `identity` is gone; false if it still lives. */
function waitGone(identity: ProcessIdentity, ms: number): boolean {
  const until = Date.now() + ms;
  while (checkIdentity(identity) === 'alive') {
    if (Date.now() > until) return false;
    sleepSync(POLL_MS);
  }
  return true;
}

/**
 * Starts redis-server on `port` without persistence (its data dies with it) and returns
 * once it answers PING as the process it started. Throws, with its log, when it exits
 * instead (the port is taken) or does not answer within seconds (it is then ended).
 */
export function startRedisOn(port: number): void {
  const running = started.get(port);
  if (running !== undefined && checkIdentity(running.identity) === 'alive')
    throw new Error(`redis-server pid ${running.identity.pid} already runs on port ${port}`);
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-redis-'));
  const pidFile = join(dir, 'redis.pid');
  // --daemonize: the command returns at once, before the server listens (or fails to).
  execFileSync('redis-server', [
    ...['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes'],
    ...['--save', '', '--appendonly', 'no'],
    ...['--pidfile', pidFile, '--logfile', join(dir, 'redis.log'), '--dir', dir],
  ]);
  let identity: ProcessIdentity | undefined;
  for (const until = Date.now() + START_WAIT_MS; Date.now() < until;) {
    // Redis writes its pid file once it listens; a bind failure ends it before.
    if (/Failed listening on port/.test(logTail(dir))) break;
    const pid = readPidFile(pidFile);
    if (pid !== null) {
      identity ??= readIdentity(pid);
      if (identity === undefined || checkIdentity(identity) !== 'alive') break;
      if (redisCli(port, 'ping')?.trim() === 'PONG' && redisPidOn(port) === pid) {
        started.set(port, { identity, dir });
        return;
      }
    }
    sleepSync(POLL_MS);
  }
  const log = logTail(dir);
  if (identity !== undefined) {
    signalVerified(identity, 'SIGKILL');
    waitGone(identity, STOP_WAIT_MS);
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`redis-server on 127.0.0.1:${port} did not come up: ${log}`);
}

/**
 * Stops the redis-server startRedisOn started on `port` (nothing when it is not running):
 * `shutdown nosave` once the server on the port says it is that process, then waits until
 * that process is gone. Throws when the port answers as another process or ours outlives
 * the wait (ours is then ended by verified identity).
 */
export function stopRedisOn(port: number): void {
  const server = started.get(port);
  if (server === undefined) return;
  started.delete(port);
  const { identity, dir } = server;
  try {
    if (checkIdentity(identity) !== 'alive') return;
    const answering = redisPidOn(port);
    if (answering === identity.pid) redisCli(port, 'shutdown', 'nosave');
    else signalVerified(identity, 'SIGTERM'); // Redis shuts down on SIGTERM too.
    if (!waitGone(identity, STOP_WAIT_MS)) {
      signalVerified(identity, 'SIGKILL');
      waitGone(identity, STOP_WAIT_MS);
      throw new Error(`redis-server pid ${identity.pid} (port ${port}) did not stop; SIGKILLed`);
    }
    if (answering !== identity.pid)
      throw new Error(
        `port ${port} answered as ${answering === null ? 'nothing' : `pid ${answering}`}, not as redis-server pid ${identity.pid} (ended by SIGTERM)`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
