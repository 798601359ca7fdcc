// The control API's routes: HTTP/JSON over the daemon's Unix socket, documented in the
// README. Every route calls the public library API of the supervisor, nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { RunHandle } from '../runtime/run-handle.js';
import type { Supervisor } from '../runtime/supervisor.js';
import { UnknownRunError } from '../errors.js';
import type { RunSpec } from '../options/run-spec.js';
import type { GroupOptions } from '../types.js';
import { ApiError } from '../http/api-error.js';
import { followOutput } from './follow-output.js';
import { groupOptionsBody, routeGroupRequest, spawnInGroup } from './group-routes.js';
import { readIdentity } from '../os/process-identity.js';
import { decodePathSegment, parseRequest } from '../http/parse-request.js';
import { readJsonBody } from '../http/read-json-body.js';
import { send } from '../http/send.js';

/** What the routes need besides the supervisor. */
export interface DaemonInfo {
  readonly home: string;
  readonly socketPath: string;
  readonly store: string;
  /**
   * Asks the daemon to stop as a SIGTERM would, with this policy for its live runs (its
   * --on-shutdown one when none is given); returns the policy in force, which an earlier
   * request may have set. Only the control socket offers it; the dashboard does not.
   */
  readonly requestStop?: (runs: 'kill' | 'leave' | undefined) => 'kill' | 'leave';
}

// `group` (a path such as `agent-1/mcp`) starts the run in that group, created if missing.
const spawnBody = z
  .strictObject({
    spec: z.record(z.string(), z.unknown()),
    group: z.string().optional(),
    groupOptions: groupOptionsBody.optional(),
  })
  .refine((body) => body.groupOptions === undefined || body.group !== undefined, {
    message: 'groupOptions needs a group',
    path: ['groupOptions'],
  });
// Node's decoder skips what is not base64: checked here, so garbage is refused, not typed.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const inputBody = z
  .strictObject({
    data: z.string().max(2 * 1024 * 1024),
    /** `base64` carries raw bytes (an attached terminal's keys); default `utf8`. */
    encoding: z.enum(['utf8', 'base64']).optional(),
  })
  .refine((body) => body.encoding !== 'base64' || BASE64.test(body.data), {
    message: 'data is not base64 (RFC 4648, padded)',
    path: ['data'],
  });
const resizeBody = z.strictObject({
  cols: z.number().int().min(1).max(10_000),
  rows: z.number().int().min(1).max(10_000),
});
const offsetParam = z.coerce.number().int().min(0).optional();
const reconcileBody = z.strictObject({ dryRun: z.boolean().optional() });
const shutdownBody = z.strictObject({ runs: z.enum(['kill', 'leave']).optional() });

/** Handles one request; throws ApiError (or a library error) for the caller to map. */
export async function routeRequest(
  sup: Supervisor,
  info: DaemonInfo,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://runwarden');
  const parts = url.pathname.split('/').filter(Boolean).map(decodePathSegment);
  const method = request.method ?? 'GET';
  const [version, resource, id, action] = parts;
  if (version !== 'v1') throw notFound(url.pathname);

  if (resource === 'status' && method === 'GET' && id === undefined) {
    send(response, 200, {
      name: sup.name,
      pid: process.pid,
      state: sup.state,
      home: info.home,
      socket: info.socketPath,
      store: info.store,
      storeHealth: sup.storeHealth,
      containment: sup.containment,
      lastReconcile: sup.lastReconcile,
    });
    return;
  }
  if (resource === 'tree' && method === 'GET' && id === undefined) {
    send(response, 200, { tree: sup.tree() });
    return;
  }
  if (resource === 'shutdown' && method === 'POST' && id === undefined && info.requestStop) {
    const body = parseRequest(shutdownBody, await readJsonBody(request));
    const runs = info.requestStop(body.runs);
    send(response, 202, { pid: process.pid, identity: readIdentity(process.pid) ?? null, runs });
    return;
  }
  if (resource === 'runs' && id === undefined) {
    if (method === 'GET') {
      const all = url.searchParams.get('all') === 'true';
      send(response, 200, { runs: sup.list().filter((run) => all || run.state !== 'done') });
      return;
    }
    if (method === 'POST') {
      const body = parseRequest(spawnBody, await readJsonBody(request));
      const spec = body.spec as unknown as RunSpec;
      const run =
        body.group === undefined
          ? await sup.spawn(spec)
          : await spawnInGroup(
              sup,
              body.group,
              body.groupOptions as GroupOptions | undefined,
              spec,
            );
      send(response, 201, { run: run.info() });
      return;
    }
  }
  if (resource === 'runs' && id !== undefined) {
    const run = sup.get(id);
    if (run === undefined) throw new UnknownRunError(id);
    if (action === undefined && method === 'GET') {
      send(response, 200, { run });
      return;
    }
    if (action === 'output' && method === 'GET') {
      const since = parseRequest(offsetParam, url.searchParams.get('since') ?? undefined) ?? 0;
      const handle = sup.handle(id);
      if (url.searchParams.get('follow') === 'true') {
        followOutput(sup, id, since, response);
        return;
      }
      if (handle === undefined) {
        // A run of an earlier supervisor: its output died with that process.
        send(response, 200, {
          data: '',
          offset: run.outputBytes,
          nextOffset: run.outputBytes,
          droppedBytes: Math.max(0, run.outputBytes - since),
          state: run.state,
        });
        return;
      }
      const slice = handle.output({ since: Math.min(since, handle.info().outputBytes) });
      send(response, 200, {
        data: slice.data.toString('base64'),
        offset: slice.offset,
        nextOffset: slice.nextOffset,
        droppedBytes: slice.droppedBytes,
        state: handle.state,
      });
      return;
    }
    if (action === 'input' && method === 'POST') {
      const body = parseRequest(inputBody, await readJsonBody(request));
      liveHandle(sup, id, 'input').write(
        body.encoding === 'base64' ? Buffer.from(body.data, 'base64') : body.data,
      );
      send(response, 204, null);
      return;
    }
    if (action === 'resize' && method === 'POST') {
      const body = parseRequest(resizeBody, await readJsonBody(request));
      liveHandle(sup, id, 'terminal').resize(body.cols, body.rows);
      send(response, 204, null);
      return;
    }
    if (action === 'cancel' && method === 'POST') {
      send(response, 200, { exit: await sup.cancel(id) });
      return;
    }
  }
  if (resource === 'reconcile' && id === undefined && method === 'POST') {
    const body = parseRequest(reconcileBody, await readJsonBody(request));
    send(response, 200, { report: await sup.reconcile({ dryRun: body.dryRun ?? false }) });
    return;
  }
  if (
    resource === 'groups' &&
    (await routeGroupRequest(sup, method, parts.slice(2), request, response))
  )
    return;
  if (resource === 'scopes' && id !== undefined && action === 'cancel' && method === 'POST') {
    send(response, 200, { exits: await sup.cancelScope(id) });
    return;
  }
  throw notFound(`${method} ${url.pathname}`);
}

// The handle of a run this daemon still holds; 409 once it has none.
function liveHandle(sup: Supervisor, id: string, what: string): RunHandle {
  const handle = sup.handle(id);
  if (handle === undefined)
    throw new ApiError(409, 'E_RUN_NOT_LIVE', `run ${id} has no ${what} any more`);
  return handle;
}

function notFound(what: string): ApiError {
  return new ApiError(404, 'E_NO_ROUTE', `no such route: ${what}`);
}
