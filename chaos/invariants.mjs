// The promise, checked: every marked process belongs to a live, tracked run, and to its
// current generation (never two generations of a run alive at once, none while it waits to
// restart, by itself or for its group); every run id ever handed out has a record, live or
// final with a reason; no run is both; no generation of any run was started twice; groups
// are rebuilt with their runs (group-invariants.mjs).
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { callDaemon } from './daemon.mjs';
import {
  groupProblems,
  heldProblems,
  lateProblems,
  stoppedGroupProblems,
} from './group-invariants.mjs';
import { describeProcess, markedProcesses, runHosts } from './processes.mjs';
import { readRecords } from './records.mjs';
import { startsLog } from './run-plans.mjs';

/**
 * Problems while a daemon serves `ctx.home` (after its boot reconciliation). An empty
 * list means every invariant holds right now. A held run's process is a problem whenever
 * it is seen: it is also kept in `ctx.sightings`, which settling does not clear.
 */
export async function liveProblems(ctx) {
  const [listed, grouped] = await Promise.all([
    callDaemon(ctx.home, 'GET', '/v1/runs?all=true'),
    callDaemon(ctx.home, 'GET', '/v1/groups'),
  ]);
  for (const [path, reply] of [
    ['runs', listed],
    ['groups', grouped],
  ]) {
    if (reply.status !== 200) {
      return [`GET /v1/${path} answered ${reply.status}: ${reply.error?.message ?? ''}`];
    }
  }
  const runs = new Map(listed.body.runs.map((run) => [run.id, run]));
  const { runs: records, groups } = await readRecords(ctx.home);
  const problems = recordProblems(ctx, records);
  problems.push(...groupProblems(runs, records, groups, grouped.body.groups));
  problems.push(...lateProblems(runs, Date.now()));
  for (const [id, record] of records) {
    if (record.invalid !== undefined) continue;
    const state = runs.get(id)?.state ?? 'unknown to the daemon';
    if (record.final && state !== 'done') {
      problems.push(
        `run ${id} is final (${record.reason}) in its record but ${state} in the daemon`,
      );
    }
    if (!record.final && (state === 'done' || !runs.has(id))) {
      problems.push(`run ${id} is live (${record.state}) in its record but ${state}`);
    }
  }
  // A process of a run being finalized is fine: the run is still live, in memory and record.
  const marked = markedProcesses(ctx.tag);
  for (const sighting of heldProblems(runs, records, marked)) {
    ctx.sightings.add(sighting);
    problems.push(sighting);
  }
  for (const p of marked) {
    const state = runs.get(p.value)?.state ?? 'unknown to the daemon';
    const record = records.get(p.value);
    if (state === 'done' || !runs.has(p.value)) {
      problems.push(`${describeProcess(p)} carries run ${p.value}, which is ${state}`);
    } else if (record === undefined || record.final === true) {
      problems.push(`${describeProcess(p)} of live run ${p.value} has no live record`);
    } else if (p.generation !== null && record.state === 'backoff') {
      problems.push(`${describeProcess(p)} of run ${p.value} lives while it waits to restart`);
    } else if (p.generation !== null && p.generation !== record.generation) {
      problems.push(
        `${describeProcess(p)} of run ${p.value} is of generation ${p.generation}, ` +
          `the run is at ${record.generation}`,
      );
    }
  }
  return problems;
}

/** Problems once the last daemon stopped with the kill policy: all final, nothing left. */
export async function stoppedProblems(ctx) {
  const { runs: records, groups } = await readRecords(ctx.home);
  const problems = [...recordProblems(ctx, records), ...stoppedGroupProblems(groups)];
  for (const [id, record] of records) {
    if (record.final === false) problems.push(`run ${id} is still ${record.state} after shutdown`);
  }
  for (const p of markedProcesses(ctx.tag)) {
    problems.push(`${describeProcess(p)} of run ${p.value} outlived the shutdown`);
  }
  // Run hosts leave by themselves once they hold no run (after a short linger).
  for (const p of runHosts(ctx.tag)) {
    problems.push(`run host ${describeProcess(p)} is still alive after shutdown`);
  }
  return problems;
}

function recordProblems(ctx, records) {
  const problems = startedTwice(ctx);
  for (const id of ctx.handedOut) {
    if (!records.has(id)) problems.push(`run ${id} was handed out but has no record`);
  }
  for (const [id, record] of records) {
    if (record.invalid !== undefined)
      problems.push(`run ${id} has an invalid record: ${record.invalid}`);
    else if (record.final && record.reason === null)
      problems.push(`run ${id} is final without a reason`);
  }
  return problems;
}

// A generation of a run started twice (a second launch for one restart, or a resurrection).
function startedTwice(ctx) {
  const file = startsLog(ctx.home);
  if (!existsSync(file)) return [];
  const seen = new Set();
  const problems = [];
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    if (seen.has(line)) problems.push(`run ${line.replace(' ', ', generation ')} started twice`);
    seen.add(line);
  }
  return problems;
}

/**
 * Probes until no problem is found, within `settleMs` (records are written and trees end a
 * moment after the fact). Returns what is still wrong then: an empty list means it holds.
 */
export async function settle(probe, settleMs) {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const problems = await probe();
    if (problems.length === 0 || Date.now() >= deadline) return problems;
    await sleep(100);
  }
}
