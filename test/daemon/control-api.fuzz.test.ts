// The control API against random requests, generated with fast-check: any method on every
// route (and on made-up ones), ids with broken percent-encoding, bodies that are not JSON,
// JSON of every shape, and near-valid bodies. Each answer is a 2xx or a 4xx with
// `{ error: { code, message } }`; never a 500, and the daemon stays healthy.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon, type DaemonProcess } from '../support/cli.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { liveMarked, startBystander, type Bystander } from '../support/process-checks.js';
import { rawRequest } from '../support/raw-request.js';
import { bodyOf, expectTypedAnswer, method, segment } from '../support/request-arbitraries.js';
import { waitRunHostGone } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';

let home: { path: string; remove: () => void };
let daemon: DaemonProcess;
let socket = '';
let liveRun = '';
// Not a run: a signal recorder the daemon has no business signalling.
let canary: Bystander | undefined;

beforeAll(async () => {
  assertFreshBuild();
  canary = await startBystander();
  home = createTempHome('runwarden-api-fuzz-');
  daemon = (await startDaemon(home.path)).daemon;
  socket = join(home.path, 'default.sock');
  liveRun = (await runCli(home.path, ['run', '--', 'sleep', '60'])).stdout.trim();
});

afterAll(async () => {
  try {
    const runs = (await runCli(home.path, ['ls', '--all', '--json'])).stdout;
    expect(await stopDaemon(daemon)).toBe(0);
    for (const run of JSON.parse(runs) as RunInfo[]) expect(liveMarked(run.id)).toEqual([]);
    await waitRunHostGone(home.path);
    // Never signalled: the same process (pid + start time) still runs, neither a zombie nor
    // stopped, and it recorded no signal at all (SIGCONT, SIGWINCH and the like included).
    if (canary === undefined) throw new Error('the canary never started');
    await canary.expectNeverSignalled();
  } finally {
    await canary?.stop();
    home.remove();
  }
}, 60_000);

const query = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 8 }).map((value) => `?since=${encodeURIComponent(value)}`),
  fc.integer().map((value) => `?since=${value}&all=true`),
);
const path = fc.oneof(
  fc.constantFrom('/v1/status', '/v1/runs', '/v1/reconcile', '/v1/groups', '/v2/runs', '/', ''),
  fc
    .tuple(segment, fc.constantFrom('', '/output', '/input', '/resize', '/cancel', '/x'), query)
    .map(([id, action, q]) => `/v1/runs/${id}${action}${q}`),
  fc
    .tuple(segment, fc.constantFrom('/cancel', ''))
    .map(([key, action]) => `/v1/scopes/${key}${action}`),
  fc
    .tuple(fc.oneof(segment, fc.constantFrom('g', 'g%2Fh')), fc.constantFrom('/cancel', '', '/x'))
    .map(([path, action]) => `/v1/groups/${path}${action}`),
  fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
);

// A spec never runs anything but `true` (or a missing command): the rest is random.
function safeSpec(spec: Record<string, unknown>): Record<string, unknown> {
  const safe = { ...spec, command: typeof spec.command === 'string' ? 'true' : spec.command };
  Reflect.deleteProperty(safe, 'shell');
  return safe;
}
const spec = fc
  .dictionary(
    fc.constantFrom('command', 'args', 'mode', 'cwd', 'env', 'timeoutMs', 'cols', 'durable', 'x'),
    fc.jsonValue({ maxDepth: 2 }),
  )
  .map((fields) => ({ command: 'true', ...fields }))
  .map(safeSpec);
const groupPath = fc.oneof(
  fc.constantFrom('g', 'g/h', 'g//h', '', '.g'),
  fc.string({ maxLength: 8 }),
  fc.jsonValue(),
);
const groupOptions = fc.record(
  {
    strategy: fc.oneof(
      fc.constantFrom('one-for-one', 'one-for-all', 'rest-for-one'),
      fc.jsonValue(),
    ),
    maxRestarts: fc.jsonValue(),
    restartWindowMs: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const json = fc.oneof(
  fc.jsonValue(),
  spec.map((value) => ({ spec: value })),
  fc.record({ spec, extra: fc.jsonValue() }, { requiredKeys: ['spec'] }),
  fc.record({ data: fc.jsonValue(), encoding: fc.jsonValue() }, { requiredKeys: [] }),
  fc.record({ cols: fc.jsonValue(), rows: fc.jsonValue() }, { requiredKeys: [] }),
  fc.record({ dryRun: fc.jsonValue() }, { requiredKeys: [] }),
  fc.record({ spec, group: groupPath, groupOptions }, { requiredKeys: ['spec'] }),
  fc.record({ path: groupPath, strategy: fc.jsonValue(), maxRestarts: fc.jsonValue() }),
  fc.record({ reason: fc.jsonValue() }, { requiredKeys: [] }),
);
const body = bodyOf(json);

test('random requests get a 2xx or a typed 4xx, never a 500; the daemon stays healthy', async () => {
  await fc.assert(
    fc.asyncProperty(method, path, body, async (verb, target, payload) => {
      expectTypedAnswer(
        await rawRequest(socket, verb, target.replaceAll('LIVE', liveRun), payload),
      );
      expect((await rawRequest(socket, 'GET', '/v1/status')).status).toBe(200);
    }),
    { numRuns: 200 },
  );
}, 120_000);
