// Figure 3: N concurrent PTY runs, each printing a line every 100 ms: the supervisor's heap
// and RSS per run, and event-loop delay p99, against the same N raw node-pty processes.
// Each side runs in a fresh Node process (`--side`), so memory is measured from a clean heap.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createSupervisor, RUN_MARKER } from '../dist/index.js';
import {
  alternate,
  quick,
  report,
  row,
  size,
  sleep,
  summarize,
  tempHome,
  waitUntil,
} from './lib.mjs';

const require = createRequire(import.meta.url);
const KIB = 1024;
// RW_FIG3_RUNS overrides the size (a smaller machine cannot hold 1,000 printing PTYs).
const runs = Number(process.env.RW_FIG3_RUNS) || size(1000, 40);
const PRINTER = ['-c', 'while :; do echo "line $RANDOM"; read -t 0.1; done'];

if (process.argv.includes('--side'))
  await measureSide(process.argv[process.argv.indexOf('--side') + 1]);
else await main();

async function main() {
  // Two descriptors per run in runwarden (master, held slave), one in raw node-pty.
  const limit = Number(execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  if (limit < 3 * runs + 256)
    throw new Error(`ulimit -n is ${limit}: raise it to ${3 * runs + 256}`);
  const samples = { rw: [], raw: [] };
  const side = (name) => () => {
    const out = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        fileURLToPath(import.meta.url),
        '--side',
        name,
        ...(quick ? ['--quick'] : []),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 },
    );
    if (out.status !== 0) throw new Error(`side ${name} failed: ${out.status ?? out.signal}`);
    samples[name].push(JSON.parse(out.stdout.trim().split('\n').pop()));
    return 0;
  };
  // Each round runs both sides once; the numbers are taken from the samples afterwards.
  // One round per side: starting 1,000 PTYs takes minutes on this shared machine.
  const rounds = size(1, 1);
  await alternate({ rounds, warmup: 0, a: side('rw'), b: side('raw') });
  const stat = (name, key) => samples[name].map((s) => s[key]);
  const byKey = (key) => ({ a: summarize(stat('rw', key)), b: summarize(stat('raw', key)) });
  const extra = (key) =>
    summarize(samples.rw.map((s, i) => s[key] - (samples.raw[i]?.[key] ?? s[key])));
  report({
    id: 3,
    title: `${runs} concurrent PTY runs each printing a line every 100 ms`,
    baseline: `the same ${runs} raw node-pty processes`,
    target: '<= 64 KiB extra per run; event-loop delay p99 <= 25 ms',
    rounds: samples.rw.length, // RW_BENCH_ROUNDS may have asked for more
    rows: [
      row('RSS per run', 'KiB', byKey('rssPerRun')),
      row('heap per run', 'KiB', byKey('heapPerRun')),
      row('extra RSS per run (runwarden - raw)', 'KiB', { a: extra('rssPerRun') }, { max: 64 }),
      row('extra heap per run (runwarden - raw)', 'KiB', { a: extra('heapPerRun') }, { max: 64 }),
      row('event-loop delay p99', 'ms', byKey('p99'), { max: 25 }),
    ],
    details: [
      `Each side runs in its own Node process: memory per run is the growth from ${Math.floor(runs / 2)} to ${runs} live, printing runs, divided by ${runs - Math.floor(runs / 2)}, each after a full GC.`,
      `Output seen during the ${size(5, 1)} s window: runwarden ${samples.rw.map((s) => s.lines).join(', ')} chunks, raw ${samples.raw.map((s) => s.lines).join(', ')} chunks.`,
      `Descriptors: runwarden holds two per PTY run (the master, and the slave it keeps until the output is drained), raw node-pty one; ulimit -n here is ${limit}; /proc/sys/kernel/pty/max bounds the PTYs.`,
    ],
  });
}

async function measureSide(name) {
  const memory = () => {
    globalThis.gc();
    globalThis.gc();
    const m = process.memoryUsage();
    return { heap: m.heapUsed, rss: m.rss };
  };
  const home = tempHome('fig3');
  let lines = 0;
  let sup = null;
  const ptys = [];
  let exits = 0;
  if (name === 'rw') {
    sup = await createSupervisor({ home: home.dir, limits: { maxLiveRuns: runs + 10 } });
  }
  const nodePty = require('node-pty');
  const start = async (i) => {
    if (sup) {
      const run = await sup.spawn({ mode: 'pty', command: 'bash', args: PRINTER });
      run.onOutput(() => lines++);
      return;
    }
    const env = { ...process.env, [RUN_MARKER]: `bench-raw-${process.pid}-${i}` };
    const pty = nodePty.spawn('bash', PRINTER, { cols: 80, rows: 24, cwd: process.cwd(), env });
    pty.onData(() => lines++);
    const entry = { pty, exited: false };
    pty.onExit(() => {
      entry.exited = true;
      exits++;
    });
    ptys.push(entry);
  };
  const startRange = async (from, to) => {
    for (let i = from; i < to; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, to - i) }, (_, j) => start(i + j)));
    }
    await sleep(2000); // every run printing, records written: a steady state
  };
  // Per run is the slope between half and all of the runs: fixed costs (code compiled on
  // first use, SQLite's page cache) are paid by the first half and cancel out.
  const half = Math.floor(runs / 2);
  await startRange(0, half);
  const before = memory();
  await startRange(half, runs);
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  lines = 0;
  await sleep(size(5000, 1000));
  histogram.disable();
  const after = memory();
  const sample = {
    heapPerRun: (after.heap - before.heap) / (runs - half) / KIB,
    rssPerRun: (after.rss - before.rss) / (runs - half) / KIB,
    p99: histogram.percentile(99) / 1e6,
    lines,
  };
  if (sup) {
    await sup.shutdown();
  } else {
    // Our own unreaped children: their pids (and groups, which they lead) are still ours.
    for (const { pty, exited } of ptys) {
      if (exited) continue;
      try {
        process.kill(-pty.pid, 'SIGKILL');
      } catch {
        // exited meanwhile (its exit event is on its way)
      }
    }
    await waitUntil(() => exits === ptys.length, 60_000, 'raw PTYs to exit');
  }
  home.remove();
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}
