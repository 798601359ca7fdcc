// One chaos cycle: a daemon on a temporary home, random bursts of runs, a fault at a
// random moment, a restart with a random orphan policy (sometimes itself killed while it
// boots), the invariants after the boot reconciliation settled, sometimes a graceful
// shutdown cut short, then a kill-policy shutdown that must leave nothing behind.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RUN_MARKER } from '../dist/os/run-marker.js';
import { callDaemon, killDaemon, launchDaemon, startDaemon, stopDaemon } from './daemon.mjs';
import { injectFault, randomFault } from './fault.mjs';
import { liveProblems, settle, stoppedProblems } from './invariants.mjs';
import { CHAOS_TAG, killLeftovers } from './processes.mjs';
import { createRandom } from './random.mjs';
import { randomRunPlan, restartsLogged, STARTS_LOG, startsLog } from './run-plans.mjs';

// Records land and trees end a moment after the fact; a real leak stays for good.
const SETTLE_MS = 30_000;

/**
 * Runs the cycle of `seed`. Resolves `{ seed, ok, problems, steps, runs, home, ms }`; the
 * home of a failing cycle is kept (daemon and run host logs) and named in `home`.
 */
export async function runCycle(seed, options = {}) {
  const started = Date.now();
  const random = createRandom(seed);
  const maxRuns = options.maxRunsPerBurst ?? 8;
  const ctx = {
    home: mkdtempSync(join(tmpdir(), 'runwarden-chaos-')),
    tag: `chaos-${seed}-${randomUUID()}`,
    handedOut: new Set(),
  };
  const steps = [];
  const problems = [];
  const step = (text) => steps.push(`+${Date.now() - started}ms ${text}`);
  let daemons = 0;
  let restarts;
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
      const fault = await burst(ctx, random, daemon, maxRuns, step, problems);
      if (daemon.child.exitCode === null && daemon.child.signalCode === null) {
        step(`fault ${fault}: the daemon lives on`);
      } else {
        daemon = await boot(true);
      }
      problems.push(...(await settle(() => liveProblems(ctx), SETTLE_MS)));
    }
    // Sometimes the graceful shutdown itself is cut short: runs are left mid-finalization.
    if (problems.length === 0 && random.chance(0.25)) {
      const delay = random.int(0, 500);
      daemon.child.kill('SIGTERM');
      await sleep(delay);
      await killDaemon(daemon);
      step(`daemon SIGKILLed ${delay} ms into its graceful shutdown`);
      daemon = await boot(true);
      problems.push(...(await settle(() => liveProblems(ctx), SETTLE_MS)));
    }
    if (problems.length === 0) {
      const code = await stopDaemon(daemon);
      step(`daemon stopped (SIGTERM, kill policy): exit ${code}`);
      if (code !== 0) problems.push(`the daemon's graceful shutdown ended with ${code}`);
      problems.push(...(await settle(() => stoppedProblems(ctx), SETTLE_MS)));
    }
  } catch (error) {
    problems.push(`harness error: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    if (daemon !== null) await stopDaemon(daemon);
    // Only a failing cycle has anything left here; it is ended by verified identity.
    const left = killLeftovers(ctx.tag);
    if (left > 0) step(`ended ${left} leftover process(es)`);
    restarts = restartsLogged(ctx.home);
    if (problems.length === 0) rmSync(ctx.home, { recursive: true, force: true });
  }
  return {
    seed,
    ok: problems.length === 0,
    problems,
    steps,
    runs: ctx.handedOut.size,
    restarts,
    home: ctx.home,
    ms: Date.now() - started,
  };
}

// A burst of concurrent spawn requests, and a fault at a random moment among them: after
// a random number of answers (so some runs were handed out and others are in flight).
async function burst(ctx, random, daemon, maxRuns, step, problems) {
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
  const injected = (async () => {
    await enoughAnswers;
    await sleep(faultDelay);
    const done = await injectFault(fault, daemon, ctx.tag);
    step(`fault: ${done} SIGKILLed`);
    return done;
  })();
  // Awaited below; handled now, so a failure here is the cycle's problem (and its cleanup
  // runs), never an unhandled rejection that ends the harness and orphans the daemon.
  injected.catch(() => undefined);
  await Promise.all([...requests, ...extras]);
  return injected;
}

// The daemon's environment: the tag every process of the cycle inherits, the file each
// run start is logged in (run-plans.mjs), a short run host linger (so hosts leave within
// the settle window), and never a marker of our own.
function daemonEnv(ctx) {
  const inherited = Object.entries(process.env).filter(([key]) => key !== RUN_MARKER);
  return {
    ...Object.fromEntries(inherited),
    [CHAOS_TAG]: ctx.tag,
    [STARTS_LOG]: startsLog(ctx.home),
    RUNWARDEN_HOST_LINGER_MS: '200',
  };
}
