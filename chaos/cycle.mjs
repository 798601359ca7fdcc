// One chaos cycle: a daemon on a temporary home, random bursts of runs (some in groups), a
// fault at a random moment, a restart with a random orphan policy (sometimes itself killed
// while it boots), the invariants after the boot reconciliation settled, sometimes a
// graceful shutdown cut short, then a kill-policy shutdown that must leave nothing behind.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_MARKER } from '../dist/os/run-marker.js';
import { callDaemon, killDaemon, launchDaemon, startDaemon, stopDaemon } from './daemon.mjs';
import { injectFault, randomFault } from './fault.mjs';
import { afterBoot, runGroupBurst } from './group-burst.mjs';
import {
  calmFile,
  GROUP_DIR,
  groupDir,
  groupRandom,
  prepareGroupDir,
  randomGroupBurst,
  randomGroupLayout,
} from './group-plans.mjs';
import { liveProblems, settle, stoppedProblems } from './invariants.mjs';
import { CHAOS_TAG, killLeftovers } from './processes.mjs';
import { createRandom } from './random.mjs';
import { randomRunPlan, restartsLogged, STARTS_LOG, startsLog } from './run-plans.mjs';

// Records land and trees end a moment after the fact; a real leak stays for good.
const SETTLE_MS = 30_000;

/**
 * Runs the cycle of `seed`. Resolves `{ seed, ok, problems, steps, runs, restarts,
 * groupRestarts, groupCancels, home, ms }`; the home of a failing cycle is kept (daemon and
 * run host logs) and named in `home`. Its processes' tag starts with `options.tagPrefix`.
 */
export async function runCycle(seed, options = {}) {
  const started = Date.now();
  const random = createRandom(seed);
  // Groups draw from a stream of their own: the seed's other choices are as before groups.
  const grandom = groupRandom(seed);
  const maxRuns = options.maxRunsPerBurst ?? 8;
  const ctx = {
    home: mkdtempSync(join(tmpdir(), 'runwarden-chaos-')),
    tag: `${options.tagPrefix ?? 'chaos-'}${seed}-${randomUUID()}`,
    handedOut: new Set(),
    groupLayout: randomGroupLayout(grandom),
    groupRuns: new Set(),
    groupCancels: 0,
    faultTimes: [],
    sightings: new Set(),
  };
  prepareGroupDir(ctx.home);
  const steps = [];
  const problems = [];
  const step = (text) => steps.push(`+${Date.now() - started}ms ${text}`);
  if (ctx.groupLayout !== null) {
    step(
      `groups: ${ctx.groupLayout.map((g) => `${g.path} ${JSON.stringify(g.options)}`).join('; ')}`,
    );
  }
  // Settles the invariants; a held run's process, once seen, stays a problem.
  const check = async (probe) => {
    for (const problem of [...(await settle(probe, SETTLE_MS)), ...ctx.sightings])
      if (!problems.includes(problem)) problems.push(problem);
  };
  let daemons = 0;
  let restarts;
  let groupRestarts;
  const logPath = (n) => join(ctx.home, `daemon-${n}.log`);
  const boot = async (mayDieBooting = false) => {
    const policy = random.pick([[], ['--on-orphan', 'kill'], ['--on-orphan', 'reattach']]);
    // Sometimes a daemon is SIGKILLed while it boots: reconciling, killing orphans.
    if (mayDieBooting && random.chance(0.25)) {
      const delay = random.int(0, 700);
      const doomed = launchDaemon(ctx.home, policy, daemonEnv(ctx), logPath(++daemons));
      doomed.ready.catch(() => undefined);
      await sleep(delay);
      await killDaemon(doomed);
      step(`daemon ${daemons} SIGKILLed ${delay} ms into its boot`);
    }
    const daemon = await startDaemon(ctx.home, policy, daemonEnv(ctx), logPath(++daemons));
    const { killed, reattached, lost, uncertain, quarantined } = daemon.report;
    step(
      `daemon ${daemons} ${policy.join(' ') || '(default policy)'}: ` +
        `killed ${killed.length}, reattached ${reattached.length}, lost ${lost.length}`,
    );
    // Records runwarden wrote itself are never unusable; as root nothing is unreadable.
    if (quarantined.length > 0) problems.push(`boot quarantined ${JSON.stringify(quarantined)}`);
    if (uncertain.length > 0) problems.push(`boot left uncertain ${JSON.stringify(uncertain)}`);
    return daemon;
  };

  let daemon = null;
  try {
    daemon = await boot();
    const rounds = random.chance(0.3) ? 2 : 1;
    for (let round = 1; round <= rounds && problems.length === 0; round++) {
      const fault = await burst(ctx, { random, grandom }, daemon, maxRuns, step, problems);
      if (lives(daemon)) {
        step(`fault ${fault}: the daemon lives on`);
      } else {
        daemon = await boot(true);
      }
      await check(() => liveProblems(ctx));
    }
    // Sometimes the graceful shutdown itself is cut short: runs are left mid-finalization.
    if (problems.length === 0 && random.chance(0.25)) {
      const delay = random.int(0, 500);
      daemon.child.kill('SIGTERM');
      await sleep(delay);
      await killDaemon(daemon);
      step(`daemon SIGKILLed ${delay} ms into its graceful shutdown`);
      daemon = await boot(true);
      await check(() => liveProblems(ctx));
    }
    // With groups, before the shutdown: they work a while after the last boot (and one may be
    // cancelled), and the invariants hold again.
    if (ctx.groupLayout !== null && problems.length === 0) {
      await afterBoot(ctx, grandom, () => lives(daemon), step, problems);
      await check(() => liveProblems(ctx));
    }
    if (problems.length === 0) {
      const code = await stopDaemon(daemon);
      step(`daemon stopped (SIGTERM, kill policy): exit ${code}`);
      if (code !== 0) problems.push(`the daemon's graceful shutdown ended with ${code}`);
      await check(() => stoppedProblems(ctx));
    }
  } catch (error) {
    problems.push(`harness error: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    // A failing cycle's daemon may hang in its shutdown: its home keeps what it logged.
    if (daemon !== null && problems.length > 0) await killDaemon(daemon);
    if (daemon !== null) await stopDaemon(daemon);
    // Only a failing cycle has anything left here; it is ended by verified identity.
    const left = killLeftovers(ctx.tag);
    if (left > 0) step(`ended ${left} leftover process(es)`);
    restarts = restartsLogged(ctx.home);
    groupRestarts = restartsLogged(ctx.home, ctx.groupRuns);
    if (problems.length === 0) rmSync(ctx.home, { recursive: true, force: true });
  }
  return {
    seed,
    ok: problems.length === 0,
    problems,
    steps,
    runs: ctx.handedOut.size,
    restarts,
    groupRestarts,
    groupCancels: ctx.groupCancels,
    home: ctx.home,
    ms: Date.now() - started,
  };
}

// A burst of concurrent spawn requests, and a fault at a random moment among them: after
// a random number of answers (so some runs were handed out and others are in flight).
async function burst(ctx, { random, grandom }, daemon, maxRuns, step, problems) {
  const plans = Array.from({ length: random.int(2, maxRuns) }, () => ({
    ...randomRunPlan(random),
    at: random.int(0, 800),
    cancelAfter: random.chance(0.2) ? random.int(0, 300) : null,
  }));
  // A scope storm: several replacing spawns in one scope at once (only the last may run).
  if (random.chance(0.2)) {
    const at = random.int(0, 600);
    for (let i = random.int(3, 5); i > 0; i--) {
      const plan = randomRunPlan(random);
      plans.push({
        ...plan,
        spec: { ...plan.spec, scopeKey: 'storm', replaceExistingScope: true },
        at: at + random.int(0, 30),
        cancelAfter: null,
      });
    }
  }
  const fault = randomFault(random);
  const faultAfter = random.int(0, plans.length);
  const faultDelay = random.int(0, 500);
  let answered = 0;
  let answer = () => undefined;
  const enoughAnswers = new Promise((resolve) => {
    answer = () => {
      if (++answered >= faultAfter) resolve();
    };
    if (faultAfter === 0) resolve();
  });
  // Live reconciliations and scope cancels land among the spawns.
  const extras = Array.from({ length: random.int(0, 2) }, () => ({
    at: random.int(0, 1000),
    path: random.pick(['/v1/reconcile', '/v1/scopes/tool-a/cancel', '/v1/scopes/storm/cancel']),
  })).map(async ({ at, path }) => {
    await sleep(at);
    const reply = await callDaemon(ctx.home, 'POST', path, {});
    step(`POST ${path}: ${reply.status === 0 ? reply.error.message : reply.status}`);
    if (reply.status >= 300) problems.push(`POST ${path} answered ${reply.status}`);
  });
  const requests = plans.map(async (plan) => {
    await sleep(plan.at);
    const reply = await callDaemon(ctx.home, 'POST', '/v1/runs', { spec: plan.spec });
    answer();
    const what = `${plan.kind} ${JSON.stringify(plan.spec)}`;
    if (reply.status === 201) {
      const id = reply.body.run.id;
      ctx.handedOut.add(id);
      step(`run ${id} ${reply.body.run.state}: ${what}`);
      // Some runs are cancelled right away: a fault may land while they are finalizing.
      if (plan.cancelAfter !== null) {
        await sleep(plan.cancelAfter);
        const cancel = await callDaemon(ctx.home, 'POST', `/v1/runs/${id}/cancel`);
        step(`cancel ${id}: ${cancel.status === 0 ? cancel.error.message : cancel.status}`);
      }
    } else if (reply.status === 0) {
      step(`no answer (${reply.error.message}): ${what}`);
    } else {
      problems.push(`spawning ${what} answered ${reply.status} ${JSON.stringify(reply.body)}`);
    }
  });
  // Group members and a group cancel land among them too (drawn from their own stream).
  const groupWork = ctx.groupLayout && randomGroupBurst(grandom, ctx.groupLayout);
  for (const { path } of ctx.groupLayout ?? [])
    if (!path.includes('/')) rmSync(calmFile(ctx.home, path), { force: true });
  const grouped = groupWork && runGroupBurst(ctx, groupWork, () => lives(daemon), step, problems);
  const injected = (async () => {
    await enoughAnswers;
    await sleep(faultDelay);
    ctx.faultTimes.push(Date.now());
    const done = await injectFault(fault, daemon, ctx.tag);
    step(`fault: ${done} SIGKILLed`);
    return done;
  })();
  // Awaited below; handled now, so a failure here is the cycle's problem (and its cleanup
  // runs), never an unhandled rejection that ends the harness and orphans the daemon.
  injected.catch(() => undefined);
  await Promise.all([...requests, ...extras, grouped]);
  return injected;
}

function lives(daemon) {
  return daemon.child.exitCode === null && daemon.child.signalCode === null;
}

// The daemon's environment: the tag every process of the cycle inherits, the file each
// run start is logged in (run-plans.mjs), the directory of group members' stop logs and
// calm files (group-plans.mjs), a short run host linger (so hosts leave within the settle
// window), and never a marker of our own.
function daemonEnv(ctx) {
  const inherited = Object.entries(process.env).filter(([key]) => key !== RUN_MARKER);
  return {
    ...Object.fromEntries(inherited),
    [CHAOS_TAG]: ctx.tag,
    [STARTS_LOG]: startsLog(ctx.home),
    [GROUP_DIR]: groupDir(ctx.home),
    RUNWARDEN_HOST_LINGER_MS: '200',
  };
}
