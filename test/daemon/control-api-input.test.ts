// Input through the built daemon reaches the process as exactly the bytes sent: base64
// input over the control API (every byte value, NUL and sequences that are not UTF-8) for
// piped and PTY runs, held by the daemon or by the run host; and `runwarden send` text as
// its UTF-8 bytes. The run copies what it reads to a file, compared byte for byte.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon, type DaemonProcess } from '../support/cli.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { liveMarked } from '../support/process-checks.js';
import { callJson } from '../support/raw-request.js';
import { waitRunHostGone } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

let home: { path: string; remove: () => void };
let daemon: DaemonProcess;
let socket = '';
const ids: string[] = [];

beforeAll(async () => {
  assertFreshBuild();
  home = createTempHome('runwarden-input-');
  daemon = (await startDaemon(home.path)).daemon;
  socket = join(home.path, 'default.sock');
});

afterAll(async () => {
  expect(await stopDaemon(daemon)).toBe(0);
  for (const id of ids) expect(liveMarked(id), id).toEqual([]);
  await waitRunHostGone(home.path);
  home.remove();
});

// Every byte value once, then NULs and sequences no UTF-8 decoder would keep: a lone
// continuation byte, truncated and overlong sequences, a surrogate, 0xFE/0xFF.
const BYTES = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from([0, 0, 0x80, 0xc3, 0x28, 0xe2, 0x82, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xfe, 0xff, 0]),
]);

/**
 * Starts a run that copies exactly `length` bytes of its input to a file, once it printed
 * `ready` (a PTY run first puts its terminal in raw mode, so no byte is interpreted).
 */
async function startCopier(
  spec: { mode: 'pty' | 'child'; durable: boolean },
  length: number,
): Promise<{ id: string; file: string }> {
  const file = join(home.path, `input-${spec.mode}-${String(spec.durable)}-${ids.length}.bin`);
  const raw = spec.mode === 'pty' ? 'stty raw -echo -iexten && ' : '';
  const answer = await callJson(socket, 'POST', '/v1/runs', {
    spec: {
      ...spec,
      command: 'sh',
      args: ['-c', `${raw}echo ready && head -c ${length} > "$OUT"`],
      env: { OUT: file },
    },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  const { id } = (answer.body as { run: RunInfo }).run;
  ids.push(id);
  await waitUntil(
    async () => {
      const body = (await callJson(socket, 'GET', `/v1/runs/${id}/output`)).body as {
        data: string;
      };
      return Buffer.from(body.data, 'base64').toString().includes('ready');
    },
    15_000,
    'the copier to be ready',
  );
  return { id, file };
}

async function copied(id: string, file: string): Promise<Buffer> {
  const run = await waitUntil(
    async () => {
      const info = ((await callJson(socket, 'GET', `/v1/runs/${id}`)).body as { run: RunInfo }).run;
      return info.state === 'done' && info;
    },
    15_000,
    'the copier to exit',
  );
  expect(run.exit).toMatchObject({ reason: 'exit', exitCode: 0 });
  return readFileSync(file);
}

test.each([
  { mode: 'child', durable: false },
  { mode: 'pty', durable: false },
  { mode: 'child', durable: true },
  { mode: 'pty', durable: true },
] as const)('base64 input reaches a $mode run (durable: $durable) byte for byte', async (spec) => {
  const { id, file } = await startCopier(spec, BYTES.length);
  // Two requests, split right after a UTF-8 lead byte (0xC7): order and bytes are kept.
  for (const part of [BYTES.subarray(0, 200), BYTES.subarray(200)]) {
    const sent = await callJson(socket, 'POST', `/v1/runs/${id}/input`, {
      data: part.toString('base64'),
      encoding: 'base64',
    });
    expect(sent).toEqual({ status: 204, body: null });
  }
  const received = await copied(id, file);
  expect(received.toString('hex')).toBe(BYTES.toString('hex'));
});

test('runwarden send writes its text as UTF-8 bytes; utf8 input over the API too', async () => {
  const text = 'héllo ✓ 𝄞 — ünïcödé\n';
  const api = 'dätä\n';
  const expected = Buffer.from(`${text}${api}`, 'utf8');
  const { id, file } = await startCopier({ mode: 'child', durable: false }, expected.length);
  const sent = await runCli(home.path, ['send', id, text]);
  expect(sent).toMatchObject({ code: 0, stdout: '', stderr: '' });
  expect(
    await callJson(socket, 'POST', `/v1/runs/${id}/input`, { data: api, encoding: 'utf8' }),
  ).toEqual({ status: 204, body: null });
  expect((await copied(id, file)).toString('hex')).toBe(expected.toString('hex'));
});

test('input that is not base64 is refused with 400 E_BAD_REQUEST and nothing is written', async () => {
  const good = Buffer.from('ok\n');
  const { id, file } = await startCopier({ mode: 'child', durable: false }, good.length);
  for (const data of ['@@ not base64 at all!!', 'abc', 'ab=c', 'YWJj\n']) {
    const refused = await callJson(socket, 'POST', `/v1/runs/${id}/input`, {
      data,
      encoding: 'base64',
    });
    expect(refused, data).toMatchObject({
      status: 400,
      body: {
        error: { code: 'E_BAD_REQUEST', message: expect.stringContaining('base64') as string },
      },
    });
  }
  expect(
    await callJson(socket, 'POST', `/v1/runs/${id}/input`, {
      data: good.toString('base64'),
      encoding: 'base64',
    }),
  ).toEqual({ status: 204, body: null });
  // Only the valid input reached the process.
  expect((await copied(id, file)).toString('hex')).toBe(good.toString('hex'));
});
