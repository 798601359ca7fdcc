// The throwaway Redis helper (test/support/redis-server.ts) the store tests stand on: start
// returns once the server answers as itself, a port already taken fails loudly with nothing
// left running, and stop ends exactly the server it started, and only once it is gone.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { checkIdentity, readIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { toolOnPath } from '../support/machine-requirements.js';
import { freePort, redisPidOn, startRedisOn, stopRedisOn } from '../support/redis-server.js';
import { testNeeding } from '../support/requirements.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const HOW_TO_GET = 'apt-get install redis-server; .ci/run installs it';
const needsRedis = testNeeding(
  toolOnPath('redis-server', HOW_TO_GET),
  toolOnPath('redis-cli', HOW_TO_GET),
);

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const ping = (port: number) =>
  execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'ping'], {
    encoding: 'utf8',
  }).trim();

needsRedis(
  'start answers PONG as soon as it returns; stop returns once that server is gone',
  async () => {
    const port = await freePort();
    startRedisOn(port);
    cleanups.push(() => {
      stopRedisOn(port);
    });
    // No wait: startRedisOn returned only once the server answered.
    expect(ping(port)).toBe('PONG');
    const pid = redisPidOn(port);
    if (pid === null) throw new Error('no process_id from INFO');
    const identity = readIdentity(pid);
    if (identity === undefined) throw new Error(`redis-server ${pid} is not alive`);
    expect(identity.pid).toBe(pid);
    expect(() => {
      startRedisOn(port);
    }).toThrow(`redis-server pid ${pid} already runs on port ${port}`);

    stopRedisOn(port);
    // No wait either: stopRedisOn returned only once the process was gone.
    expect(checkIdentity(identity)).not.toBe('alive');
    expect(redisPidOn(port)).toBeNull();
    // Stopping again, or a port it never started, is nothing.
    stopRedisOn(port);
    // And it starts again on the same port, as the outage tests do.
    startRedisOn(port);
    expect(ping(port)).toBe('PONG');
    expect(redisPidOn(port)).not.toBe(pid);
  },
);

needsRedis('a port already taken: start throws with the log, and leaves no server', async () => {
  const port = await freePort();
  const taken: Server = createServer();
  await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
  let message = '';
  try {
    startRedisOn(port);
  } catch (error) {
    message = (error as Error).message;
  }
  cleanups.push(() => {
    stopRedisOn(port); // had it started after all
  });
  expect(message).toMatch(new RegExp(`redis-server on 127.0.0.1:${port} did not come up: `));
  expect(message).toMatch(/Failed listening on port/);
  // The log names the server that failed: it is gone.
  const pid = Number(/pid=(\d+), just started/.exec(message)?.[1]);
  expect(pid).toBeGreaterThan(0);
  await waitUntil(() => readIdentity(pid) === undefined, 10_000, 'the failed server to exit');
});

needsRedis('stop never shuts down a server it did not start', async () => {
  const port = await freePort();
  const dir = createTempHome('runwarden-foreign-redis-');
  cleanups.push(dir.remove);
  const pidFile = join(dir.path, 'foreign.pid');
  execFileSync('redis-server', [
    ...['--port', String(port), '--bind', '127.0.0.1', '--daemonize', 'yes', '--save', ''],
    ...['--pidfile', pidFile, '--dir', dir.path],
  ]);
  await waitUntil(() => redisPidOn(port) !== null, 15_000, 'the foreign server');
  const foreign = readIdentity(redisPidOn(port) ?? 0);
  if (foreign === undefined) throw new Error('the foreign server is not alive');
  cleanups.push(async () => {
    signalVerified(foreign, 'SIGTERM');
    await waitUntil(() => checkIdentity(foreign) !== 'alive', 15_000, 'the foreign server to stop');
  });
  stopRedisOn(port);
  expect(ping(port)).toBe('PONG');
  expect(checkIdentity(foreign)).toBe('alive');
});
