// A burst's group work against the daemon: members started in their groups (each missing
// parent created first, with the cycle's options), and a group cancel. A calm cancel first
// stops its tree's failures and waits until every group of the tree is active and every run
// has a live process, so the stops its members log can be held against the start order; an
// aimed one is sent while a group restart is starting a member again.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { callDaemon } from './daemon.mjs';
import { calmFile, calmLock, randomAfterBoot, readyLog, stopsLog } from './group-plans.mjs';
import { cancelOrderProblems, subtreeRuns } from './group-order.mjs';
import { markedProcesses } from './processes.mjs';

// Generous: restarts under way finish first, with delays of up to a second each.
const CALM_TIMEOUT_MS = 10_000;
// A cancel ends a few members, each at once on SIGTERM: far longer is a cancel that hangs.
const CANCEL_TIMEOUT_MS = 20_000;
// Members fail within a second of their start, and are started again within a second.
const AIM_TIMEOUT_MS = 600;
const STARTING = ['recording', 'replacing', 'spawning'];
// A daemon hears of its run host's death at once; what it then ends takes a moment.
const FAULT_MARGIN_MS = 2000;
const run = promisify(execFile);

/**
 * Starts the burst's group work (`randomGroupBurst`); resolves once every request was
 * answered. `daemonAlive()` tells a cancel that hangs from one whose daemon was killed.
 */
export async function runGroupBurst(ctx, work, daemonAlive, step, problems) {
  const spawns = work.members.map((member) =>
    spawnMember(ctx, member, options(ctx), step, problems),
  );
  const cancels = work.cancels.map(async (cancel) => {
    await sleep(cancel.at);
    // A calm cancel knows every member of the burst: their spawns were answered.
    if (cancel.how === 'calm') await Promise.all(spawns);
    await cancelGroup(ctx, cancel, daemonAlive, step, problems);
  });
  await Promise.all([...spawns, ...cancels]);
}

/**
 * After the last boot settled: the groups work a while (their members fail, they restart
 * them or give up), or one of them (rebuilt, or alive all along) is cancelled against a
 * daemon that is not killed meanwhile (a calm or aimed cancel waits for its moment first).
 */
export async function afterBoot(ctx, random, daemonAlive, step, problems) {
  const { dwell, cancel, slot, refill } = randomAfterBoot(random, ctx.groupLayout);
  if (cancel === null || cancel.how === 'wild') {
    await sleep(dwell);
    step(`groups worked ${dwell} ms`);
  }
  if (cancel === null) return;
  // One of the groups that live now (the drawn one may have failed, or never been created);
  // with none, the drawn one is started again.
  const listed = await callDaemon(ctx.home, 'GET', '/v1/groups');
  if (listed.status !== 200) return;
  const paths = listed.body.groups.map((group) => group.path);
  if (paths.length > 0) cancel.path = paths[Math.floor(slot * paths.length)];
  else
    await Promise.all(
      refill.map((member) => spawnMember(ctx, member, options(ctx), step, problems)),
    );
  await cancelGroup(ctx, cancel, daemonAlive, step, problems);
}

function options(ctx) {
  return new Map(ctx.groupLayout.map((group) => [group.path, group.options]));
}

// Refusals a group spawn may meet under chaos: its group is stopping or failed, or a parent
// ended meanwhile; or a parent ended and was created again with defaults (by a spawn into a
// group below it), and now refuses the cycle's options for it.
function refusedAsExpected(reply) {
  const error = reply.body?.error;
  if (reply.status === 409 && error?.code === 'E_GROUP_UNAVAILABLE') return true;
  if (reply.status === 404 && error?.code === 'E_UNKNOWN_GROUP') return true;
  return (
    reply.status === 400 &&
    error?.code === 'E_INVALID_OPTION' &&
    /was created with/.test(error.message ?? '')
  );
}

async function spawnMember(ctx, member, options, step, problems) {
  await sleep(member.at);
  const segments = member.path.split('/');
  for (let depth = 1; depth < segments.length; depth++) {
    const path = segments.slice(0, depth).join('/');
    const reply = await callDaemon(ctx.home, 'POST', '/v1/groups', {
      path,
      ...options.get(path),
    });
    if (!answered(reply, `group ${path}`, step, problems)) return;
  }
  const body = { spec: member.spec, group: member.path, groupOptions: options.get(member.path) };
  const reply = await callDaemon(ctx.home, 'POST', '/v1/runs', body);
  // The member's script is the same for all: shown without it.
  const shown = Object.fromEntries(
    Object.entries(member.spec).filter(([key]) => key !== 'args' && key !== 'env'),
  );
  const failAfter = member.spec.args.at(-1);
  const what = `member of ${member.path} failing after ${failAfter} s ${JSON.stringify(shown)}`;
  if (reply.status !== 201) {
    answered(reply, what, step, problems);
    return;
  }
  const id = reply.body.run.id;
  ctx.handedOut.add(id);
  ctx.groupRuns.add(id);
  step(`run ${id} ${reply.body.run.state}: ${what}`);
}

// Whether the request succeeded; says what happened otherwise.
function answered(reply, what, step, problems) {
  if (reply.status === 200 || reply.status === 201) return true;
  if (reply.status === 0) step(`no answer (${reply.error.message}): ${what}`);
  else if (refusedAsExpected(reply)) step(`refused: ${what}: ${reply.body.error.message}`);
  else problems.push(`${what} answered ${reply.status} ${JSON.stringify(reply.body)}`);
  return false;
}

async function cancelGroup(ctx, cancel, daemonAlive, step, problems) {
  const top = cancel.path.split('/')[0];
  const what = `cancel group ${cancel.path} (${cancel.how})`;
  const calmedAt = Date.now();
  const order = cancel.how === 'calm' ? await calmTree(ctx, top, cancel.path) : null;
  if (cancel.how === 'calm' && order === null) step(`${what}: the tree did not calm down`);
  if (cancel.how === 'aimed') step(`${what}: ${await restartUnderWay(ctx, top)}`);
  const log = stopsLog(ctx.home, top);
  const offset = existsSync(log) ? readFileSync(log).length : 0;
  const path = `/v1/groups/${encodeURIComponent(cancel.path)}/cancel`;
  const reply = await callDaemon(ctx.home, 'POST', path, {}, CANCEL_TIMEOUT_MS);
  const stops = existsSync(log) ? readFileSync(log).subarray(offset).toString('utf8') : '';
  const lines = stops.split('\n').filter(Boolean);
  if (reply.status === 200) {
    ctx.groupCancels++;
    step(`${what}: ${reply.body.exits.length} run(s) ended, stops ${JSON.stringify(lines)}`);
    // A fault since (or just before) the tree calmed down may have ended members itself.
    if (order !== null && !ctx.faultTimes.some((at) => at >= calmedAt - FAULT_MARGIN_MS))
      problems.push(...cancelOrderProblems(cancel.path, order, lines, reply.body.exits));
  } else if (reply.status === 0 && /no answer within/.test(reply.error.message) && daemonAlive()) {
    problems.push(`${what} got no answer while the daemon lives: ${reply.error.message}`);
  } else if (reply.status === 0) {
    step(`${what}: no answer (${reply.error.message})`);
  } else if (reply.status === 404 && reply.body?.error?.code === 'E_UNKNOWN_GROUP') {
    step(`${what}: no such group`);
  } else {
    problems.push(`${what} answered ${reply.status} ${JSON.stringify(reply.body)}`);
  }
}

/**
 * Waits (a while at most) until a run of the tree under `top` is being started again (a
 * later generation, not running yet): a cancel then meets a group restart under way.
 */
async function restartUnderWay(ctx, top) {
  const deadline = Date.now() + AIM_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const listed = await callDaemon(ctx.home, 'GET', '/v1/runs');
    if (listed.status !== 200) return 'the daemon is gone';
    const starting = listed.body.runs.find(
      (info) => inTree(info.group, top) && info.generation > 1 && STARTING.includes(info.state),
    );
    if (starting !== undefined) return `sent while run ${starting.id} is ${starting.state}`;
    await sleep(5);
  }
  return 'no restart under way';
}

/**
 * Calms the tree under `top` (its members fail no more) and waits until every group of it
 * is active and every run of it has a live process of its generation, its traps set.
 * Resolves the start order of the runs under `path` then, or null (the daemon is gone, or
 * no calm in time).
 */
async function calmTree(ctx, top, path) {
  // Under the lock no member is between deciding to fail and exiting.
  await run('flock', [calmLock(ctx.home), 'touch', calmFile(ctx.home, top)]);
  const deadline = Date.now() + CALM_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const [tree, listed] = await Promise.all([
      callDaemon(ctx.home, 'GET', '/v1/tree'),
      callDaemon(ctx.home, 'GET', '/v1/runs'),
    ]);
    if (tree.status !== 200 || listed.status !== 200) return null;
    const alive = new Set(markedProcesses(ctx.tag).map((p) => `${p.value} ${p.generation}`));
    const ready = readLines(readyLog(ctx.home));
    const groups = groupNodes(tree.body.tree.children).filter((node) => inTree(node.path, top));
    const runs = listed.body.runs.filter((info) => inTree(info.group, top));
    const calm =
      groups.every((node) => node.state === 'active') &&
      runs.every(
        (info) =>
          (info.state === 'running' || info.state === 'idle') &&
          alive.has(`${info.id} ${info.generation}`) &&
          ready.has(`${info.id} ${info.generation}`),
      );
    if (calm) return subtreeRuns(groups.find((node) => node.path === path));
    await sleep(50);
  }
  return null;
}

// Whether the group at `path` (or a run's group, null for none) is in the tree under `top`.
function inTree(path, top) {
  return path === top || path?.startsWith(`${top}/`) === true;
}

function readLines(file) {
  return new Set(existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
}

function groupNodes(nodes) {
  return nodes
    .filter((node) => node.kind === 'group')
    .flatMap((node) => [node, ...groupNodes(node.children)]);
}
