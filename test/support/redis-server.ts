// A throwaway redis-server on a loopback port, for tests that start and stop it themselves.
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

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

/** Starts redis-server on `port` without persistence (its data dies with it). */
export function startRedisOn(port: number): void {
  execFileSync('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--daemonize',
    'yes',
    '--save',
    '',
    '--appendonly',
    'no',
  ]);
}

/** Stops the redis-server on `port` (through its own protocol, never by name). */
export function stopRedisOn(port: number): void {
  spawnSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave']);
}
