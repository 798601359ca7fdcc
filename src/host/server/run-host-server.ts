// The run host's HTTP routes on its Unix socket. Everything a supervisor does to a durable
// run (start it, stream its output, type into it, resize it, collect its exit) goes here.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../http/api-error.js';
import { send } from '../../http/send.js';
import { decodePathSegment, parseRequest } from '../../http/parse-request.js';
import { readJsonBody } from '../../http/read-json-body.js';
import { SpawnError } from '../../errors.js';
import { z } from 'zod';
import {
  hostResizeRequest,
  hostSpawnRequest,
  isFrozenRoute,
  PROTOCOL_HEADER,
  requestProtocol,
  type RunHostStatus,
} from '../host-protocol.js';
import type { HostedRun } from './hosted-run.js';

const MAX_INPUT_BYTES = 2 * 1024 * 1024;
const offsetParam = z.coerce.number().int().min(0);

/** What the routes act on: the host's table of runs. */
export interface RunHostState {
  status(): RunHostStatus;
  get(runId: string): HostedRun | undefined;
  start(request: z.infer<typeof hostSpawnRequest>): Promise<HostedRun>;
  collect(runId: string): void;
  /** Whether this host speaks `protocol` (the one each request states it is written in). */
  speaks(protocol: number): boolean;
}

export async function routeHostRequest(
  host: RunHostState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://run-host');
  const [version, resource, id, action] = url.pathname.split('/').filter(Boolean);
  const method = request.method ?? 'GET';
  if (version !== 'v1') throw noRoute(method, url.pathname);
  // Frozen: a supervisor of a protocol this host cannot speak gets one stable answer, except
  // on the frozen routes (identity, release), which every version answers.
  const stated = requestProtocol(request.headers[PROTOCOL_HEADER]);
  if (!host.speaks(stated) && !isFrozenRoute(method, url.pathname)) {
    throw new ApiError(
      409,
      'E_RUN_HOST_PROTOCOL',
      `this run host speaks protocol ${host.status().protocol ?? 1}, the request ${stated}`,
    );
  }
  if (resource === 'host' && id === undefined && method === 'GET') {
    send(response, 200, host.status());
    return;
  }
  if (resource !== 'runs') throw noRoute(method, url.pathname);
  if (id === undefined && method === 'POST') {
    const body = parseRequest(hostSpawnRequest, await readJsonBody(request));
    const held = host.get(body.runId);
    if (held !== undefined) {
      if (held.exit === null)
        throw new ApiError(409, 'E_RUN_EXISTS', `run ${body.runId} is already hosted`);
      // A restarted run's next generation: the last one exited, and its supervisor verified
      // its tree dead before it asked; its kept exit (not collected yet) is let go.
      host.collect(body.runId);
    }
    try {
      const run = await host.start(body);
      send(response, 201, { pid: run.pid, identity: run.identity, outputStart: run.outputStart });
    } catch (error) {
      if (error instanceof SpawnError) throw new ApiError(422, error.code, error.message);
      throw error;
    }
    return;
  }
  const run = id === undefined ? undefined : host.get(decodePathSegment(id));
  if (run === undefined) throw new ApiError(404, 'E_UNKNOWN_RUN', `no hosted run ${id ?? ''}`);
  if (action === undefined && method === 'GET') {
    send(response, 200, run.status());
    return;
  }
  if (action === undefined && method === 'DELETE') {
    if (run.exit === null) throw new ApiError(409, 'E_RUN_LIVE', `run ${run.runId} still runs`);
    // A release of an earlier generation's process: this one is another (a restart).
    const pid = url.searchParams.get('pid');
    if (pid !== null && Number(pid) !== run.pid)
      throw new ApiError(409, 'E_RUN_REPLACED', `run ${run.runId} is held with another process`);
    host.collect(run.runId);
    send(response, 200, { exit: run.exit });
    return;
  }
  if (action === 'output' && method === 'GET') {
    const since = parseRequest(offsetParam, url.searchParams.get('since') ?? '0');
    if (since > run.status().outputEnd)
      throw new ApiError(416, 'E_BAD_OFFSET', `offset ${since} is past the end of the output`);
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const unsubscribe = run.follow(since, (line) => {
      response.write(`${JSON.stringify(line)}\n`);
      if (line.type === 'exit') response.end();
    });
    response.on('close', unsubscribe);
    return;
  }
  if (action === 'input' && method === 'POST') {
    run.write(await readRawBody(request));
    send(response, 204, null);
    return;
  }
  if (action === 'resize' && method === 'POST') {
    const body = parseRequest(hostResizeRequest, await readJsonBody(request));
    run.resize(body.cols, body.rows);
    send(response, 204, null);
    return;
  }
  throw noRoute(method, url.pathname);
}

async function readRawBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_INPUT_BYTES)
      throw new ApiError(413, 'E_BODY_TOO_LARGE', `input is limited to ${MAX_INPUT_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function noRoute(method: string, path: string): ApiError {
  return new ApiError(404, 'E_NO_ROUTE', `no such route: ${method} ${path}`);
}
