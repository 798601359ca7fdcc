// Metering: what one tick of the shared ResourceSampler costs with 1, 50 and 200 live runs
// of 3 processes each (real `sleep` trees, marker mode: one /proc scan a tick for all), and
// the sampler's CPU time per minute at its default interval. Needs `npm run build`.
// `--quick`: fewer rounds and a 10 s window instead of a minute.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { RUN_MARKER } from '../dist/index.js';
import { findMarkedProcesses } from '../dist/os/find-marked-processes.js';
import { readIdentity } from '../dist/os/process-identity.js';
import { ResourceSampler, SAMPLER_DEFAULTS } from '../dist/os/metering/resource-sampler.js';
import {
  BENCH_TAG,
  benchEnv,
  one,
  report,
  row,
  size,
  sleep,
  summarize,
  waitUntil,
} from './lib.mjs';

// Run alone (not through bench/run.mjs): tag our processes so report() can check for leaks.
process.env[BENCH_TAG] ??= `metering-${process.pid}-${Date.now()}`;

const SIZES = [1, 50, 200];
const maxRuns = SIZES.at(-1);
const prefix = `bench-metering-${process.pid}-`;
const coldRounds = size(10, 3);
const warmRounds = size(30, 5);
const windowMs = size(60_000, 10_000);

let runs = [];
const ours = () => findMarkedProcesses(RUN_MARKER).found.filter((p) => p.value.startsWith(prefix));
const processCount = () => readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;

/** Starts `n` runs, each a shell with two sleeps (3 processes) in its own session. */
async function startRuns(n) {
  runs = [];
  for (let i = 0; i < n; i++) {
    const child = spawn('bash', ['-c', 'sleep 600 & sleep 600 & wait'], {
      detached: true,
      stdio: 'ignore',
      env: { ...benchEnv(), [RUN_MARKER]: `${prefix}${i}` },
    });
    runs.push({ id: `${prefix}${i}`, child, root: readIdentity(child.pid) });
  }
  await waitUntil(() => ours().length === 3 * n, 60_000, `${3 * n} processes`);
  // Past the scanner's 2 s settling time: later ticks remember environments and commands.
  await sleep(2500);
}

/** Ends the runs (the groups our unreaped shells lead) and waits until they are gone. */
async function endRuns() {
  for (const run of runs) process.kill(-run.child.pid, 'SIGKILL');
  await waitUntil(() => ours().length === 0, 60_000, 'the sleeps to die');
}

/** A sampler tracking the first `n` runs; its timer never fires during a measurement. */
function samplerFor(n, intervalMs = 3_600_000) {
  const sampler = new ResourceSampler({ intervalMs });
  for (const run of runs.slice(0, n)) sampler.track(run.id, { root: run.root });
  return sampler;
}

/** Milliseconds of one sampleNow(), and checks every run was seen whole. */
async function timedTick(sampler, n) {
  const started = performance.now();
  await sampler.sampleNow();
  const ms = performance.now() - started;
  for (const run of runs.slice(0, n)) {
    const processes = sampler.latest(run.id)?.processes;
    if (processes !== 3) throw new Error(`run ${run.id}: ${processes} processes, not 3`);
  }
  return ms;
}

const cpuMs = (usage) => (usage.user + usage.system) / 1000;
const rows = [];
const perTickCpu = {};
const machine = {};
for (const n of SIZES) {
  await startRuns(n);
  machine[n] = processCount();
  // Cold: a new sampler's first tick reads every environment and command line.
  const cold = [];
  for (let round = 0; round < coldRounds; round++) {
    const sampler = samplerFor(n);
    cold.push(await timedTick(sampler, n));
    sampler.stop();
  }
  // Warm: what every later tick costs.
  const sampler = samplerFor(n);
  await timedTick(sampler, n);
  const warm = [];
  const cpuBefore = process.cpuUsage();
  for (let round = 0; round < warmRounds; round++) warm.push(await timedTick(sampler, n));
  perTickCpu[n] = cpuMs(process.cpuUsage(cpuBefore)) / warmRounds;
  sampler.stop();
  const what = `${n} run(s), ${machine[n]} processes on the machine`;
  rows.push(row(`first tick, ${what}`, 'ms', { a: summarize(cold) }));
  rows.push(row(`later ticks, ${what}`, 'ms', { a: summarize(warm) }));
  rows.push(row(`CPU per later tick, ${what}`, 'ms', { a: one(perTickCpu[n]) }));
  if (n !== maxRuns) await endRuns();
}

// The sampler on its own timer at the default interval, 200 runs, for a window: this
// process's whole CPU time over it (the sampler is all it does), scaled to a minute.
const live = samplerFor(maxRuns, SAMPLER_DEFAULTS.intervalMs);
let ticks = 0;
live.onSample((runId) => {
  if (runId === runs[0].id) ticks++;
});
await waitUntil(() => ticks >= 1, 30_000, 'the first tick');
const windowStart = process.cpuUsage();
const ticksBefore = ticks;
await sleep(windowMs);
const windowCpu = cpuMs(process.cpuUsage(windowStart));
const windowTicks = ticks - ticksBefore;
live.stop();
const perMinute = (windowCpu * 60_000) / windowMs;
const derived = perTickCpu[maxRuns] * (60_000 / SAMPLER_DEFAULTS.intervalMs);
rows.push(row(`sampler CPU per minute, ${maxRuns} runs, measured`, 'ms', { a: one(perMinute) }));
rows.push(row(`sampler CPU per minute, ${maxRuns} runs, from ticks`, 'ms', { a: one(derived) }));

await endRuns();
report({
  id: 'metering',
  title: 'ResourceSampler: tick cost with runs of 3 processes (marker mode)',
  baseline: 'none',
  target: 'report',
  rounds: warmRounds,
  rows,
  details: [
    'One /proc scan per tick for every run: the stat of every process on the machine; environments and command lines only of processes not seen settled (a first tick reads them all).',
    `Measured window: ${windowTicks} ticks in ${windowMs / 1000} s at the default ${SAMPLER_DEFAULTS.intervalMs} ms interval; ${windowCpu.toFixed(1)} ms CPU (the whole process).`,
    'CPU per tick: process.cpuUsage() over the later ticks, divided by their number.',
  ],
});
