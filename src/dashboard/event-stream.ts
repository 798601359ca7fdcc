// `GET /v1/events`: server-sent events for the dashboard. `runs` carries every run the
// supervisor holds (the same RunInfo as `GET /v1/runs?all=true`) whenever it changed;
// `supervisor` carries each lifecycle event from `sup.onEvent` as it happens.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Supervisor } from '../runtime/supervisor.js';

/** How often the run list is compared for changes no event announces (output, ages). */
const POLL_MS = 1000;

/** Streams until the client goes away or the server closes the connection. */
export function streamEvents(
  sup: Supervisor,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  const write = (event: string, data: unknown) =>
    response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  let last = '';
  const sendRunsIfChanged = () => {
    const runs = JSON.stringify(sup.list());
    if (runs === last) return;
    last = runs;
    response.write(`event: runs\ndata: {"runs":${runs}}\n\n`);
  };
  // Events come in bursts (state, spawned, finalized): one run list after the burst.
  let pending: NodeJS.Immediate | null = null;
  const unsubscribe = sup.onEvent((event) => {
    write('supervisor', event);
    pending ??= setImmediate(() => {
      pending = null;
      sendRunsIfChanged();
    });
  });
  const timer = setInterval(sendRunsIfChanged, POLL_MS);
  sendRunsIfChanged();
  request.on('close', () => {
    unsubscribe();
    clearInterval(timer);
    if (pending !== null) clearImmediate(pending);
  });
}
