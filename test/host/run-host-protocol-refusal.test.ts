// The host checks the protocol too: a supervisor states its own on every request
// (`x-runwarden-protocol`; none is 0.1.0's, 1), and a host refuses one it cannot speak with
// a stable 409 E_RUN_HOST_PROTOCOL, except on the frozen routes (identity, release), which
// always answer. Real hosts of this build, one playing another version (hidden `--protocol`).
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, expect, test } from 'vitest';
import { RUN_HOST_MARKER } from '../../src/host/client/run-host-link.js';
import { runHostPaths } from '../../src/host/run-host-paths.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { liveRunHosts, waitRunHostGone } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';

const HOST_ENTRY = fileURLToPath(
  new URL('../../dist/host/server/run-host-main.js', import.meta.url),
);

beforeAll(() => {
  assertFreshBuild();
});
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Starts a host of this build for a fresh home; `protocol` makes it play another version.
async function startHost(protocol: number | null): Promise<string> {
  const temp = createTempHome();
  cleanups.push(temp.remove);
  const home = temp.path;
  cleanups.push(async () => {
    // Only if the test failed early: it holds no run, so it exits by itself otherwise.
    for (const host of liveRunHosts(home)) signalVerified(host, 'SIGTERM');
    await waitRunHostGone(home);
  });
  const played = protocol === null ? [] : ['--protocol', String(protocol)];
  const child = spawn(process.execPath, [HOST_ENTRY, home, 'default', ...played], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, [RUN_HOST_MARKER]: `${home}/default`, RUNWARDEN_HOST_LINGER_MS: '2000' },
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', (code) => {
      reject(new Error(`run host exited (${String(code)}): ${out}`));
    });
  });
  expect(JSON.parse(line)).toMatchObject({ ready: true });
  return runHostPaths(home, 'default').socket;
}

// One request, stating `protocol` in the header (or none, as 0.1.0's supervisor).
function ask(
  socketPath: string,
  method: string,
  path: string,
  protocol: number | null,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const headers = protocol === null ? {} : { 'x-runwarden-protocol': String(protocol) };
    const req = request({ socketPath, method, path, headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const refused = { status: 409, body: { error: { code: 'E_RUN_HOST_PROTOCOL' } } };
const unknownRun = { status: 404, body: { error: { code: 'E_UNKNOWN_RUN' } } };

test('a host playing protocol 7 refuses requests of protocol 1 (stated or, as 0.1.0, not), but its frozen routes answer', async () => {
  const socket = await startHost(7);
  for (const protocol of [1, null]) {
    expect(await ask(socket, 'GET', '/v1/runs/r1', protocol)).toMatchObject(refused);
    expect(await ask(socket, 'POST', '/v1/runs', protocol)).toMatchObject(refused);
    expect(await ask(socket, 'GET', '/v1/host', protocol)).toMatchObject({
      status: 200,
      body: { protocol: 7 },
    });
    expect(await ask(socket, 'DELETE', '/v1/runs/r1', protocol)).toMatchObject(unknownRun);
  }
  expect(await ask(socket, 'GET', '/v1/runs/r1', 7)).toMatchObject(unknownRun);
}, 30_000);

test("this build's host speaks 1 (stated or not) and refuses protocol 2 but on its frozen routes", async () => {
  const socket = await startHost(null);
  expect(await ask(socket, 'GET', '/v1/runs/r1', null)).toMatchObject(unknownRun);
  expect(await ask(socket, 'GET', '/v1/runs/r1', 1)).toMatchObject(unknownRun);
  expect(await ask(socket, 'GET', '/v1/runs/r1', 2)).toMatchObject(refused);
  expect(await ask(socket, 'GET', '/v1/host', 2)).toMatchObject({
    status: 200,
    body: { protocol: 1 },
  });
  expect(await ask(socket, 'DELETE', '/v1/runs/r1', 2)).toMatchObject(unknownRun);
}, 30_000);
