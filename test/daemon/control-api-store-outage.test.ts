// The built daemon on a real Redis that the test stops and starts again: while the store is
// down, `status` says degraded, the control API refuses spawns with 503 E_STORE_UNAVAILABLE
// (and starts no process), the CLI fails with one line, and the live run goes on; once
// Redis is back the daemon is healthy and spawns again.
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { toolOnPath } from '../support/machine-requirements.js';
import { liveMarked } from '../support/process-checks.js';
import { callJson } from '../support/raw-request.js';
import { freePort, startRedisOn, stopRedisOn } from '../support/redis-server.js';
import { testNeeding } from '../support/requirements.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';
import { containmentLinePattern } from '../support/containment.js';

const { cleanups } = useBuiltCli('runwarden-cli-');

interface Status {
  readonly store: string;
  readonly storeHealth: { state: string; since: number; lastError: { message: string } | null };
}

async function statusOf(home: string): Promise<Status> {
  const answer = await runCli(home, ['status', '--json']);
  expect(answer.code, answer.stderr).toBe(0);
  return JSON.parse(answer.stdout) as Status;
}

const HOW_TO_GET = 'apt-get install redis-server; .ci/run installs it';

testNeeding(toolOnPath('redis-server', HOW_TO_GET), toolOnPath('redis-cli', HOW_TO_GET))(
  'Redis stops: status degraded, spawns refused with 503 E_STORE_UNAVAILABLE; Redis back: healthy',
  async () => {
    const temp = createTempHome('runwarden-outage-');
    cleanups.push(temp.remove);
    const home = temp.path;
    const socket = join(home, 'default.sock');
    const port = await freePort();
    const store = `redis://127.0.0.1:${port}`;
    startRedisOn(port);
    cleanups.push(() => {
      stopRedisOn(port);
    });
    const { daemon } = await startDaemon(home, ['--store', store]);
    const ids: string[] = [];
    cleanups.push(async () => {
      expect(await stopDaemon(daemon)).toBe(0);
      for (const id of ids) expect(liveMarked(id), id).toEqual([]);
    });
    const live = (await runCli(home, ['run', '--', 'sleep', '60'])).stdout.trim();
    ids.push(live);
    expect(await statusOf(home)).toMatchObject({ store, storeHealth: { state: 'ok' } });

    stopRedisOn(port);
    const degraded = await waitUntil(
      async () => {
        const status = await statusOf(home);
        return status.storeHealth.state === 'degraded' && status;
      },
      15_000,
      'the daemon to see the store down',
    );
    const since = new Date(degraded.storeHealth.since).toISOString();
    const words = await runCli(home, ['status']);
    expect(words.stdout).toMatch(
      new RegExp(
        `\\nstore ${store}: degraded since ${since} \\((.+); \\d+ run\\(s\\) lagging\\)\\n${containmentLinePattern()}last boot: `,
      ),
    );

    const refused = await callJson(socket, 'POST', '/v1/runs', {
      spec: { command: 'sleep', args: ['60'] },
    });
    expect(refused).toMatchObject({
      status: 503,
      body: { error: { code: 'E_STORE_UNAVAILABLE' } },
    });
    const message = (refused.body as { error: { message: string } }).error.message;
    const refusedId = /^run (\S+) was not started/.exec(message)?.[1] ?? '';
    expect(refusedId, message).not.toBe('');
    ids.push(refusedId);
    // No record, so no run and no process.
    expect(liveMarked(refusedId)).toEqual([]);
    expect((await callJson(socket, 'GET', `/v1/runs/${refusedId}`)).status).toBe(404);
    const cli = await runCli(home, ['run', '--', 'sleep', '60']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^runwarden: run \S+ was not started: .*\(E_STORE_UNAVAILABLE\)\n$/);
    // The live run goes on (silent, it turns idle once idleAfterMs passed: slow machines).
    const shown = JSON.parse((await runCli(home, ['show', live, '--json'])).stdout) as RunInfo;
    expect(['running', 'idle']).toContain(shown.state);
    expect(liveMarked(live)).toHaveLength(1);

    startRedisOn(port);
    await waitUntil(
      async () => (await statusOf(home)).storeHealth.state === 'ok',
      15_000,
      'the daemon to see the store back',
    );
    expect((await runCli(home, ['status'])).stdout).toMatch(
      new RegExp(`\\nstore ${store}: ok\\n${containmentLinePattern()}last boot: `),
    );
    const again = await runCli(home, ['run', '--', 'sleep', '60']);
    expect(again.code, again.stderr).toBe(0);
    ids.push(again.stdout.trim());
    const all = JSON.parse((await runCli(home, ['ls', '--all', '--json'])).stdout) as RunInfo[];
    expect(all.map((run) => run.id).sort()).toEqual([live, again.stdout.trim()].sort());
  },
  60_000,
);
