// The control API's group routes: list the live groups, create one (with its missing
// parents), end one's subtree; and the group a spawn names. Every route calls the public
// library API of the supervisor, nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { UnknownGroupError } from '../errors.js';
import { normalizeGroupOptions, parseGroupPath } from '../options/group-options.js';
import { normalizeRunSpec, type RunSpec } from '../options/run-spec.js';
import type { Group } from '../runtime/group-handle.js';
import type { RunHandle } from '../runtime/run-handle.js';
import type { Supervisor } from '../runtime/supervisor.js';
import type { GroupOptions } from '../types.js';
import { parseRequest } from '../http/parse-request.js';
import { readJsonBody } from '../http/read-json-body.js';
import { send } from '../http/send.js';

// The body checks the types; the library checks the values (an unknown strategy, a count out
// of range), so those are refused as any invalid option is: 400 E_INVALID_OPTION.
const groupOptionFields = {
  strategy: z.string().optional(),
  maxRestarts: z.number().optional(),
  restartWindowMs: z.number().optional(),
};
/** A spawn's `groupOptions`: applied when its group is created. */
export const groupOptionsBody = z.strictObject(groupOptionFields);
const createBody = z.strictObject({ path: z.string(), ...groupOptionFields });
const cancelBody = z.strictObject({
  reason: z.enum(['cancelled', 'replaced', 'owner-gone', 'shutdown', 'orphan-killed']).optional(),
});

/**
 * Answers `/v1/groups[/<path>/cancel]` (`parts` follow `groups`, each one decoded path
 * segment); false when no group route matches, for the caller's 404.
 */
export async function routeGroupRequest(
  sup: Supervisor,
  method: string,
  parts: readonly string[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<boolean> {
  const [path, action, ...rest] = parts;
  if (path === undefined && method === 'GET') {
    send(response, 200, { groups: sup.groups() });
    return true;
  }
  if (path === undefined && method === 'POST') {
    const { path: created, ...options } = parseRequest(createBody, await readJsonBody(request));
    const group = await ensureGroup(sup, created, options as GroupOptions);
    const info = group.info();
    // Ended between its creation and this answer (cancelled meanwhile).
    if (info === undefined) throw new UnknownGroupError(created);
    send(response, 200, { group: info });
    return true;
  }
  if (path !== undefined && action === 'cancel' && rest.length === 0 && method === 'POST') {
    const body = parseRequest(cancelBody, await readJsonBody(request));
    parseGroupPath(path);
    send(response, 200, { exits: await sup.cancelGroup(path, body.reason) });
    return true;
  }
  return false;
}

/**
 * Starts a run in the group at `path`, creating the group (with `options`) and its missing
 * parents (with defaults) first. The spec is checked before any group is created, so a
 * refused spec leaves none behind. A group that is stopping or failed takes no run: the
 * library's RunStateError E_GROUP_UNAVAILABLE (409).
 */
export async function spawnInGroup(
  sup: Supervisor,
  path: string,
  options: GroupOptions | undefined,
  spec: RunSpec,
): Promise<RunHandle> {
  normalizeRunSpec(spec, { defaultNoOutputTimeoutMs: 0 });
  const group = await ensureGroup(sup, path, options);
  return group.spawn(spec);
}

/**
 * The live group at `path`, or a new one: the last segment with `options`, its missing
 * parents with defaults. Throws InvalidOptionError for a bad path or options, or options
 * that differ from the live group's, before anything is created.
 */
async function ensureGroup(
  sup: Supervisor,
  path: string,
  options: GroupOptions | undefined,
): Promise<Group> {
  const [top = '', ...nested] = parseGroupPath(path);
  normalizeGroupOptions(options);
  let group = await sup.group(top, nested.length === 0 ? options : undefined);
  for (const [index, id] of nested.entries())
    group = await group.group(id, index === nested.length - 1 ? options : undefined);
  return group;
}
