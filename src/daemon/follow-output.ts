// Streams a run's output as NDJSON from an offset until the run ends (or the client goes):
// {"type":"output","offset":N,"data":"<base64>"} lines, then {"type":"exit","exit":{...}}
// (none for a run released to the next daemon: it goes on there).
import type { ServerResponse } from 'node:http';
import type { Supervisor } from '../runtime/supervisor.js';

export function followOutput(
  sup: Supervisor,
  id: string,
  since: number,
  response: ServerResponse,
): void {
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const line = (value: unknown) => response.write(`${JSON.stringify(value)}\n`);
  const handle = sup.handle(id);
  if (handle === undefined) {
    const info = sup.get(id);
    line({ type: 'exit', exit: info?.exit ?? null });
    response.end();
    return;
  }
  // Subscribe first, then send the backlog: a chunk is never missed between the two.
  let next = since;
  const pending: Array<{ chunk: Buffer; offset: number }> = [];
  let replaying = true;
  const deliver = (chunk: Buffer, offset: number) => {
    const end = offset + chunk.length;
    if (end <= next) return;
    const part = offset < next ? chunk.subarray(next - offset) : chunk;
    line({ type: 'output', offset: Math.max(offset, next), data: part.toString('base64') });
    next = end;
  };
  const unsubscribe = handle.onOutput((chunk, offset) => {
    if (replaying) pending.push({ chunk, offset });
    else deliver(chunk, offset);
  });
  const backlog = handle.output({ since: Math.min(since, handle.info().outputBytes) });
  if (backlog.data.length > 0) deliver(backlog.data, backlog.offset);
  replaying = false;
  for (const { chunk, offset } of pending.splice(0)) deliver(chunk, offset);
  response.on('close', unsubscribe);
  void handle.exited.then((exit) => {
    unsubscribe();
    if (response.writableEnded) return;
    // A run this daemon let go of (a `leave` shutdown) has not ended: the stream stops with
    // no exit line, so the client reconnects to the next daemon and resumes.
    if (exit.reason !== 'released') line({ type: 'exit', exit });
    response.end();
  });
}
