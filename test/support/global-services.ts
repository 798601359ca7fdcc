// Global setup: throwaway Redis and PostgreSQL servers on free loopback ports, for the store
// tests. Each is started when its binaries are installed (.ci/run installs them); when one
// is missing its URL is null and the tests that need it fail in CI, or skip loudly
// elsewhere (test/support/requirements.ts). Stopped after the suite.
import type { TestProject } from 'vitest/node';
import { findPostgresBin, startPostgresCluster } from './postgres-server.js';
import { freePort, onPath, startRedisOn, stopRedisOn } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string | null;
    postgresUrl: string | null;
    /** The directory of initdb and pg_ctl, for tests that run a cluster of their own. */
    postgresBin: string | null;
  }
}

export async function setup(project: TestProject): Promise<() => void> {
  const stops: Array<() => void> = [];
  project.provide('redisUrl', await startRedis(stops));
  const postgresBin = findPostgresBin();
  project.provide('postgresBin', postgresBin);
  project.provide('postgresUrl', await startPostgres(postgresBin, stops));
  return () => {
    // Each server is stopped even if another one fails to stop; a failure fails the run
    // (exit status) without throwing, so vitest still runs the leak check after this.
    for (const stop of stops.reverse()) {
      try {
        stop();
      } catch (error) {
        console.error('[services] a server did not stop:', error);
        process.exitCode = 1;
      }
    }
  };
}

async function startRedis(stops: Array<() => void>): Promise<string | null> {
  if (!onPath('redis-server')) return null;
  const port = await freePort();
  startRedisOn(port);
  stops.push(() => {
    stopRedisOn(port);
  });
  return `redis://127.0.0.1:${port}`;
}

async function startPostgres(bin: string | null, stops: Array<() => void>): Promise<string | null> {
  if (bin === null) return null;
  const cluster = startPostgresCluster(bin, await freePort());
  stops.push(cluster.destroy);
  return cluster.url;
}
