// The run host's protocol, spoken directly: a real host process on a temporary home.
import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { RunHostError } from '../../src/host/client/host-client.js';
import { RunHostLink } from '../../src/host/client/run-host-link.js';
import { buildLaunch } from '../../src/effects/build-launch.js';
import { normalizeRunSpec } from '../../src/options/run-spec.js';
import { SpawnError } from '../../src/errors.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { createTempHome } from '../support/temp-home.js';
import { liveRunHosts, waitRunHostGone } from '../support/run-hosts.js';
import { liveMarked } from '../support/process-checks.js';
import { waitUntil } from '../support/wait-for.js';

// Long enough a linger that an idle host is still there between the requests of a test.
const linger = process.env.RUNWARDEN_HOST_LINGER_MS;
beforeAll(() => {
  process.env.RUNWARDEN_HOST_LINGER_MS = '3000';
});
afterAll(() => {
  process.env.RUNWARDEN_HOST_LINGER_MS = linger;
});

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function link(): { link: RunHostLink; home: string } {
  const home = createTempHome('runwarden-host-');
  const hostLink = new RunHostLink(home.path, 'default');
  cleanups.push(home.remove);
  cleanups.push(() => waitRunHostGone(home.path));
  cleanups.push(() => {
    hostLink.close();
  });
  return { link: hostLink, home: home.path };
}

function spawnRequest(runId: string, spec: Parameters<typeof normalizeRunSpec>[0]) {
  const descriptor = normalizeRunSpec(spec, { defaultNoOutputTimeoutMs: 0 });
  const launch = buildLaunch(runId, descriptor, 'default');
  return {
    runId,
    mode: descriptor.mode,
    launch: { ...launch, args: [...launch.args], env: { ...launch.env } },
    timeoutMs: descriptor.timeoutMs,
    noOutputTimeoutMs: descriptor.noOutputTimeoutMs,
    killGraceMs: 200,
    logCapBytes: 64 * 1024,
  };
}

/** A raw request on the host socket, for bodies the client would never send. */
function raw(socketPath: string, method: string, path: string, body?: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ socketPath, method, path }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('one host per home and name: a second start finds the first', async () => {
  const { link: first, home } = link();
  const a = await first.ensure();
  const second = new RunHostLink(home, 'default');
  cleanups.push(() => {
    second.close();
  });
  const b = await second.ensure();
  expect(b.identity).toEqual(a.identity);
  expect(liveRunHosts(home)).toHaveLength(1);
});

test('bad requests get typed errors and start nothing', async () => {
  const { link: hostLink } = link();
  const { client } = await hostLink.ensure();
  const socket = hostLink.paths.socket;
  expect((await raw(socket, 'POST', '/v1/runs', '{not json')).status).toBe(400);
  const traversal = spawnRequest('r-ok', { command: 'true' });
  const bad = await raw(
    socket,
    'POST',
    '/v1/runs',
    JSON.stringify({ ...traversal, runId: '../escape' }),
  );
  expect(bad.status).toBe(400);
  expect(bad.body).toContain('E_BAD_REQUEST');
  expect((await raw(socket, 'GET', '/v1/runs/nope')).status).toBe(404);
  expect((await raw(socket, 'GET', '/v2/host')).status).toBe(404);
  const missing = spawnRequest('r-missing2', { command: 'true' });
  await expect(
    client.spawn({ ...missing, launch: { ...missing.launch, file: '/nonexistent/bin' } }),
  ).rejects.toBeInstanceOf(SpawnError);
  expect((await client.status()).runs).toEqual([]);
});

test('a hosted run: output from any offset, input, exit kept until collected', async () => {
  const { link: hostLink } = link();
  const { client } = await hostLink.ensure();
  const runId = 'r-host-1';
  await client.spawn(
    spawnRequest(runId, {
      command: 'sh',
      args: ['-c', 'echo first; read line; echo "got $line"; exit 4'],
    }),
  );
  await waitUntil(async () => ((await client.run(runId))?.outputEnd ?? 0) >= 6, 10_000, 'output');
  await client.input(runId, Buffer.from('hello\n'));
  await waitUntil(async () => (await client.run(runId))?.exit, 10_000, 'the exit');
  const status = await client.run(runId);
  expect(status?.exit).toMatchObject({ exitCode: 4, reason: 'exit' });
  // A follower from offset 6 gets the rest, then the exit.
  const stream = await client.follow(runId, 6);
  let text = '';
  for await (const chunk of stream) text += (chunk as Buffer).toString();
  const lines = text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; offset?: number; data?: string });
  expect(lines[0]).toMatchObject({ type: 'output', offset: 6 });
  expect(Buffer.from(lines[0]?.data ?? '', 'base64').toString()).toBe('got hello\n');
  expect(lines.at(-1)).toMatchObject({ type: 'exit' });
  // Past the end is refused.
  await expect(client.follow(runId, 10_000).then((r) => r.statusCode)).resolves.toBe(416);
  await expect(client.input(runId, Buffer.from('late'))).rejects.toBeInstanceOf(RunHostError);
  await client.collect(runId);
  expect(await client.run(runId)).toBeUndefined();
});

test('the host refuses to collect a live run', async () => {
  const { link: hostLink } = link();
  const { client } = await hostLink.ensure();
  const runId = 'r-host-live';
  await client.spawn(spawnRequest(runId, { command: 'sleep', args: ['30'] }));
  await expect(client.collect(runId)).rejects.toMatchObject({ status: 409 });
  // Ended here, by its verified identity; then its exit is kept and can be collected.
  const identity = (await client.run(runId))?.identity;
  if (identity === null || identity === undefined) throw new Error('no identity');
  expect(signalVerified(identity, 'SIGKILL')).toMatchObject({ kind: 'sent' });
  await waitUntil(async () => (await client.run(runId))?.exit, 10_000, 'the exit');
  expect((await client.run(runId))?.exit).toMatchObject({ reason: 'signal', signal: 'SIGKILL' });
  await client.collect(runId);
  expect(await client.run(runId)).toBeUndefined();
});

test('a run id is started again only once its last process exited; its log goes on', async () => {
  const { link: hostLink } = link();
  const { client } = await hostLink.ensure();
  const runId = 'r-host-again';
  const first = await client.spawn(
    spawnRequest(runId, { command: 'sh', args: ['-c', 'echo one'] }),
  );
  expect(first.outputStart).toBe(0);
  await waitUntil(async () => (await client.run(runId))?.exit, 10_000, 'the first exit');
  // Not collected yet (a restart may come first): the exit is let go, the log continues.
  const again = spawnRequest(runId, { command: 'sleep', args: ['30'] });
  const second = await client.spawn(again);
  expect(second.outputStart).toBe(4);
  await expect(client.spawn(again)).rejects.toMatchObject({ status: 409, code: 'E_RUN_EXISTS' });
  const identity = (await client.run(runId))?.identity;
  if (identity === null || identity === undefined) throw new Error('no identity');
  expect(identity.pid).toBe(second.pid);
  expect(signalVerified(identity, 'SIGKILL')).toMatchObject({ kind: 'sent' });
  await waitUntil(async () => (await client.run(runId))?.exit, 10_000, 'the second exit');
  // A late release of the first process never collects the second one's exit.
  await expect(client.collect(runId, first.pid)).rejects.toMatchObject({
    status: 409,
    code: 'E_RUN_REPLACED',
  });
  await client.collect(runId, second.pid);
  expect(await client.run(runId)).toBeUndefined();
});

test('the host enforces the timeout by itself, never before it', async () => {
  const { link: hostLink } = link();
  const { client } = await hostLink.ensure();
  const runId = 'r-host-2';
  const before = Date.now();
  await client.spawn(spawnRequest(runId, { command: 'sleep', args: ['30'], timeoutMs: 1000 }));
  await waitUntil(async () => (await client.run(runId))?.exit, 10_000, 'the timeout');
  const exit = (await client.run(runId))?.exit;
  expect(exit).toMatchObject({ reason: 'timeout', signal: 'SIGTERM' });
  // Armed once the spawn request arrived, after `before`.
  expect((exit?.endedAt ?? 0) - before).toBeGreaterThanOrEqual(1000);
  expect(liveMarked(runId)).toEqual([]);
  await client.collect(runId);
});
