// A run host that dies in the middle of a spawn: it started the process, then the
// connection broke before it answered. The run fails (spawn-error) and the process it
// started is ended, not left running under a run that is done. A stand-in host on the
// socket does exactly that (the chaos harness met it with a real host SIGKILLed).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createSupervisor } from '../../src/index.js';
import { readIdentity } from '../../src/os/process-identity.js';
import { liveMarked } from '../support/process-checks.js';
import { createTempHome } from '../support/temp-home.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface SpawnBody {
  launch: { file: string; args: string[]; env: Record<string, string> };
}

test('a host that dies mid-spawn: spawn-error, and the process it started is ended', async () => {
  const home = createTempHome();
  cleanups.push(home.remove);
  const self = readIdentity(process.pid);
  const started: ChildProcess[] = [];
  cleanups.push(() => {
    // Our own children, not yet reaped if still running: their pids are still ours.
    for (const child of started)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const host = createServer((request, response) => {
    if (request.url === '/v1/host') {
      response.end(JSON.stringify({ pid: process.pid, startTicks: self?.startTicks, runs: [] }));
      return;
    }
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { launch } = JSON.parse(body) as SpawnBody;
      const child = spawn(launch.file, launch.args, {
        env: launch.env,
        detached: true,
        stdio: 'ignore',
      });
      started.push(child);
      request.socket.destroy(); // dies before it answers
    });
  });
  await new Promise<void>((resolve) => host.listen(join(home.path, 'default.host.sock'), resolve));
  cleanups.push(() => new Promise((resolve) => host.close(resolve)));

  const sup = await createSupervisor({ home: home.path });
  cleanups.push(() => sup.shutdown());
  const run = await sup.spawn({ durable: true, command: 'sleep', args: ['60'], killGraceMs: 100 });
  expect(await run.exited).toMatchObject({ reason: 'spawn-error', error: { code: 'E_RUN_HOST' } });
  expect(started).toHaveLength(1);
  expect(liveMarked(run.id)).toEqual([]);
});
