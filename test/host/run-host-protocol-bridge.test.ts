// The protocol header states the protocol a request is WRITTEN in, not the supervisor's own
// (frozen). A later supervisor (own protocol 2, also speaking 1) meeting a host of protocol 1
// agrees on 1 in `verify()` and writes every request in it: its host serves them all.
// Real host of this build; the supervisor side plays {own 2, spoken 1 and 2} through the
// link's test-only seam.
import { once } from 'node:events';
import { afterEach, beforeAll, expect, test } from 'vitest';
import type { RunContext } from '../../src/machines/run-context.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findHostedRun } from '../../src/host/client/find-hosted-run.js';
import type { HostStreamLine } from '../../src/host/host-protocol.js';
import { RunHostLink } from '../../src/host/client/run-host-link.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { liveRunHosts, waitRunHostGone } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

beforeAll(() => {
  assertFreshBuild();
});
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('a supervisor of own protocol 2 that also speaks 1 adopts a protocol-1 host run: input, resize, output, collect', async () => {
  const temp = createTempHome();
  cleanups.push(temp.remove);
  const home = temp.path;
  cleanups.push(async () => {
    // Only if the test failed early: a host left behind is ended by verified identity.
    for (const host of liveRunHosts(home)) signalVerified(host, 'SIGKILL');
    await waitRunHostGone(home);
  });
  const runId = 'bridged';
  const older = new RunHostLink(home, 'default');
  cleanups.push(() => {
    older.close();
  });
  const started = await older.ensure();
  await started.client.spawn({
    runId,
    mode: 'pty',
    launch: {
      file: 'bash',
      args: ['-c', 'read line; echo "got:$line size:$(stty size)"'],
      cwd: home,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [RUN_MARKER]: runId },
      cols: 80,
      rows: 24,
      stdin: 'pipe',
    },
    timeoutMs: 30_000,
    noOutputTimeoutMs: null,
    killGraceMs: 1000,
    logCapBytes: 1024 * 1024,
  });
  expect(started.client.protocol).toBe(1);

  const later = new RunHostLink(home, 'default', { own: 2, spoken: [1, 2] });
  cleanups.push(() => {
    later.close();
  });
  const context = { runId, host: started.identity } as unknown as RunContext;
  const found = await findHostedRun(later, context);
  expect(found?.status.exit).toBeNull();
  // Agreed in verify(): the host's protocol, which this supervisor speaks.
  expect(later.client.protocol).toBe(1);

  await later.client.resize(runId, 101, 33);
  await later.client.input(runId, Buffer.from('hello\r'));
  const stream = await later.client.follow(runId, 0);
  expect(stream.statusCode).toBe(200);
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await once(stream, 'end');
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as HostStreamLine);
  // Output chunks travel base64-encoded.
  const output = lines
    .map((line) => (line.type === 'output' ? Buffer.from(line.data, 'base64').toString() : ''))
    .join('');
  expect(output).toContain('got:hello size:33 101');
  expect(lines.at(-1)).toMatchObject({ type: 'exit', exit: { reason: 'exit', exitCode: 0 } });

  await waitUntil(
    async () => (await later.client.run(runId))?.exit != null,
    5000,
    'the host to see the exit',
  );
  await later.client.collect(runId);
  expect(await later.client.run(runId)).toBeUndefined();
  await waitRunHostGone(home);
}, 30_000);
