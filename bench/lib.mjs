// Shared helpers of the benchmark scripts: options, statistics, A/B alternation, machine
// facts, results, and the check that no marked process outlives a figure.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { RUN_MARKER } from '../dist/index.js';
import { findMarkedProcesses } from '../dist/os/find-marked-processes.js';
import { signalVerified } from '../dist/os/signal-verified.js';

/** `--quick` runs a small version of every figure. */
export const quick = process.argv.includes('--quick');

/** Picks the full or the quick size. */
export const size = (full, small) => (quick ? small : full);

/** Percentile `p` (0..1) of sorted numbers, linearly interpolated. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * p;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

/** Median, quartiles and range of a sample. */
export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: percentile(sorted, 0.5),
    p25: percentile(sorted, 0.25),
    p75: percentile(sorted, 0.75),
    min: sorted[0],
    max: sorted[sorted.length - 1],
  };
}

/**
 * Runs `rounds` rounds of A and B, alternating which goes first (ABBA...), so that drift
 * and noise from other work on the machine fall on both sides alike. Each side returns
 * one number per round; `warmup` rounds are run and discarded.
 */
export async function alternate({ rounds: wanted, warmup = 1, a, b }) {
  // RW_BENCH_ROUNDS overrides the number of rounds (for profiling one figure).
  const rounds = Number(process.env.RW_BENCH_ROUNDS ?? wanted);
  const results = { a: [], b: [] };
  for (let round = -warmup; round < rounds; round++) {
    const order = (round & 1) === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const side of order) {
      const value = await (side === 'a' ? a : b)(round);
      if (round >= 0) results[side].push(value);
    }
  }
  return { a: summarize(results.a), b: summarize(results.b) };
}

/** A fresh private directory; removed by the returned function. */
export function tempHome(label) {
  const dir = mkdtempSync(join(tmpdir(), `rw-bench-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `predicate()` holds, polling; throws after `timeoutMs`. */
export async function waitUntil(predicate, timeoutMs = 30_000, what = 'condition') {
  const ends = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > ends) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Open file descriptors of this process. */
export function openFds() {
  return execFileSync('ls', ['/proc/self/fd'], { encoding: 'utf8' }).trim().split('\n').length - 1;
}

/** Facts about the machine a figure ran on. */
export function machineInfo() {
  const cpu = cpus();
  let os = release();
  try {
    const pretty = /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) os = `${pretty[1]}, kernel ${release()}`;
  } catch {
    // not Linux: the kernel release alone
  }
  return {
    host: hostname(),
    cpu: `${cpu.length} x ${cpu[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os,
    node: process.version,
    date: new Date().toISOString(),
  };
}

/**
 * Ends every process still carrying a run marker that this figure started (those whose
 * environment holds `tag`), by verified identity, and returns how many there were.
 */
export function endLeftovers(tag) {
  const leftovers = findMarkedProcesses(RUN_MARKER).found.filter((p) =>
    hasTag(p.identity.pid, tag),
  );
  for (const p of leftovers) signalVerified(p.identity, 'SIGKILL');
  return leftovers.length;
}

/** The variable every process of one figure carries, so only its own are ever counted. */
export const BENCH_TAG = 'RUNWARDEN_BENCH';

function hasTag(pid, tag) {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1')
      .split('\0')
      .includes(`${BENCH_TAG}=${tag}`);
  } catch {
    return false;
  }
}

/**
 * Writes the figure's result where the runner asked (`RW_BENCH_RESULT`), or prints it.
 * Fails the figure if any marked process it started is still alive.
 */
export function report(result) {
  const leaked = endLeftovers(process.env[BENCH_TAG] ?? '');
  const full = { ...result, leaked };
  const file = process.env.RW_BENCH_RESULT;
  if (file) writeFileSync(file, JSON.stringify(full, null, 2));
  else console.log(JSON.stringify(full, null, 2));
  if (leaked > 0) {
    console.error(`figure ${result.id}: ${leaked} marked process(es) outlived it`);
    process.exitCode = 1;
  }
}

/**
 * A row of a figure: one measured quantity, runwarden (a) against its baseline (b).
 * `target`: `{ maxRatio }`, `{ minRatio }`, `{ max }` (on a's median), or `null` (report).
 */
export function row(what, unit, stats, target = null) {
  const ratio = stats.b ? stats.a.median / stats.b.median : null;
  let met = null;
  let text = 'report';
  if (target?.maxRatio !== undefined) {
    met = ratio <= target.maxRatio;
    text = `<= ${target.maxRatio}x`;
  } else if (target?.minRatio !== undefined) {
    met = ratio >= target.minRatio;
    text = `>= ${target.minRatio}x`;
  } else if (target?.max !== undefined) {
    met = stats.a.median <= target.max;
    text = `<= ${target.max} ${unit}`;
  }
  return { what, unit, a: stats.a, b: stats.b ?? null, ratio, target: text, met };
}

/** Stats of a single observation (a figure measured once per round, reported as is). */
export const one = (value) => summarize([value]);

/** The environment every benchmark process gets: the figure's tag, nothing else added. */
export function benchEnv() {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', [BENCH_TAG]: process.env[BENCH_TAG] ?? '' };
}
