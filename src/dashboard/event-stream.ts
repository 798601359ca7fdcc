// `GET /v1/events`: server-sent events for the dashboard. `runs` carries every run the
// supervisor holds (the same RunInfo as `GET /v1/runs?all=true`) whenever it changed;
// `groups` carries every live group (`sup.groups()`) whenever it changed; `supervisor`
// carries each lifecycle event from `sup.onEvent` as it happens.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Supervisor } from '../runtime/supervisor.js';

/**
 * How often the run and group lists are compared for changes no event announces (output,
 * ages; a group created, or changing state, without a run changing with it).
 */
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
  const last = { runs: '', groups: '' };
  const sendIfChanged = () => {
    const runs = JSON.stringify(sup.list());
    if (runs !== last.runs) response.write(`event: runs\ndata: {"runs":${runs}}\n\n`);
    last.runs = runs;
    const groups = JSON.stringify(sup.groups());
    if (groups !== last.groups) response.write(`event: groups\ndata: {"groups":${groups}}\n\n`);
    last.groups = groups;
  };
  // Events come in bursts (state, spawned, finalized): one comparison after the burst.
  let pending: NodeJS.Immediate | null = null;
  const unsubscribe = sup.onEvent((event) => {
    write('supervisor', event);
    pending ??= setImmediate(() => {
      pending = null;
      sendIfChanged();
    });
  });
  const timer = setInterval(sendIfChanged, POLL_MS);
  sendIfChanged();
  request.on('close', () => {
    unsubscribe();
    clearInterval(timer);
    if (pending !== null) clearImmediate(pending);
  });
}
