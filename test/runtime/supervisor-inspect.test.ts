// `createSupervisor({ inspect })` feeds XState inspection events to a local
// @statelyai/inspect WebSocket inspector (an observer, not a function), as the README shows.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createWebSocketInspector } from '@statelyai/inspect';
import { afterEach, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { useSupervisors } from '../support/supervisor-harness.js';
import { waitUntil } from '../support/wait-for.js';

interface Received {
  readonly type: string;
  readonly name?: string;
  readonly snapshot?: { value?: unknown; context?: { runId?: string } };
}

const supervisor = useSupervisors();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('a run is seen from creation to done by a local WebSocket inspector', async () => {
  // The inspector's receiving end, on loopback (what a local inspector UI would run).
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  cleanups.push(
    () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(resolve);
      }),
  );
  const received: Received[] = [];
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      received.push(JSON.parse(data.toString('utf8')) as Received);
    });
  });

  const inspector = createWebSocketInspector({
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  cleanups.push(() => {
    inspector.stop();
  });
  const sup = await supervisor({ inspect: inspector.inspect });
  const run = await sup.spawn({ command: 'sh', args: ['-c', 'echo inspected'] });
  expect((await run.exited).reason).toBe('exit');

  await waitUntil(
    () =>
      received.some(
        (event) =>
          event.type === '@xstate.snapshot' &&
          event.snapshot?.value === 'done' &&
          event.snapshot.context?.runId === run.id,
      ),
    10_000,
    'the run reaching done at the inspector',
  );
  const actors = received.filter((event) => event.type === '@xstate.actor');
  // Each run actor is registered under its run id.
  expect(actors.map((event) => event.name)).toEqual(expect.arrayContaining(['supervisor', run.id]));
});
