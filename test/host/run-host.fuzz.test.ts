// The run host's socket against random requests, generated with fast-check: any method on
// every route (and made-up ones), broken percent-encoding, bodies that are not JSON, JSON
// of every shape. Each answer is a 2xx or a typed 4xx; the host and its run live on.
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { buildLaunch } from '../../src/effects/build-launch.js';
import { RunHostLink } from '../../src/host/client/run-host-link.js';
import { normalizeRunSpec } from '../../src/options/run-spec.js';
import {
  checkIdentity,
  readIdentity,
  type ProcessIdentity,
} from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import {
  expectNeverSignalled,
  liveMarked,
  recorderSpec,
  waitRecorderReady,
} from '../support/process-checks.js';
import { rawRequest } from '../support/raw-request.js';
import { bodyOf, expectTypedAnswer, method, segment } from '../support/request-arbitraries.js';
import { waitRunHostGone } from '../support/run-hosts.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const RUN_ID = 'rhostfuzz1';
let home: { path: string; remove: () => void };
let link: RunHostLink;
let host: ProcessIdentity;
let recorderFile = '';
let recorder: ProcessIdentity;

beforeAll(async () => {
  home = createTempHome('runwarden-host-fuzz-');
  link = new RunHostLink(home.path, 'default');
  host = (await link.ensure()).identity;
  // The run records every signal it gets: random requests must never signal it.
  recorderFile = join(home.path, 'signals');
  const descriptor = normalizeRunSpec(recorderSpec(recorderFile), {
    defaultNoOutputTimeoutMs: 0,
  });
  const launch = buildLaunch(RUN_ID, descriptor, 'default');
  await link.client.spawn({
    runId: RUN_ID,
    mode: 'child',
    launch: { ...launch, args: [...launch.args], env: { ...launch.env } },
    timeoutMs: null,
    noOutputTimeoutMs: null,
    killGraceMs: 100,
    logCapBytes: 64 * 1024,
  });
  recorder = await waitRecorderReady(recorderFile);
});

afterAll(async () => {
  // The run ends; collected, the host holds nothing and leaves by itself.
  for (const pid of liveMarked(RUN_ID)) {
    const identity = readIdentity(pid);
    if (identity !== undefined) signalVerified(identity, 'SIGKILL');
  }
  await waitUntil(async () => (await link.client.run(RUN_ID))?.exit ?? null, 10_000, 'the exit');
  await link.client.collect(RUN_ID);
  link.close();
  await waitRunHostGone(home.path);
  home.remove();
});

// A stream of the live run would last as long as the run: its output is never asked for.
const path = fc.oneof(
  fc.constantFrom('/v1/host', '/v1/runs', '/v2/host', '/', ''),
  fc
    .tuple(segment, fc.constantFrom('', '/output?since=0', '/output?since=x', '/input', '/resize'))
    .filter(([id, action]) => !(id === 'LIVE' && action.startsWith('/output')))
    .map(([id, action]) => `/v1/runs/${id}${action}`),
  fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
);
const json = fc.oneof(
  fc.jsonValue(),
  fc.record({ cols: fc.jsonValue(), rows: fc.jsonValue() }, { requiredKeys: [] }),
);

test('random requests get a 2xx or a typed 4xx, never a 500; the host and its run live on', async () => {
  const socket = link.paths.socket;
  await fc.assert(
    fc.asyncProperty(method, path, bodyOf(json), async (verb, target, payload) => {
      expectTypedAnswer(await rawRequest(socket, verb, target.replaceAll('LIVE', RUN_ID), payload));
      expect((await rawRequest(socket, 'GET', '/v1/host')).status).toBe(200);
    }),
    { numRuns: 200 },
  );
  expect(checkIdentity(host)).toBe('alive');
  expect(liveMarked(RUN_ID)).toEqual([recorder.pid]);
  await expectNeverSignalled(recorder, recorderFile);
}, 120_000);
