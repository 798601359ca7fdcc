// Figure 8: 10,000 sequential runs: heap, RSS and open descriptors before and after.
import { createSupervisor } from '../dist/index.js';
import { openFds, report, row, size, summarize, tempHome } from './lib.mjs';

const runs = size(10_000, 150);
const every = runs / 10;
const home = tempHome('fig8');
const sup = await createSupervisor({ home: home.dir });
const sample = () => {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed / 2 ** 20, rss: m.rss / 2 ** 20, fds: openFds() };
};
const samples = [];
const started = performance.now();
for (let i = 1; i <= runs; i++) {
  const run = await sup.spawn({ command: 'true' });
  await run.exited;
  // The first tenth warms up (code, caches, the 100 finished runs kept in memory).
  if (i % every === 0) samples.push(sample());
}
const seconds = (performance.now() - started) / 1000;
await sup.shutdown();
home.remove();
const first = samples[0];
const last = samples.at(-1);
const growth = (key) => summarize([last[key] - first[key]]);
const later = samples.slice(1);
report({
  id: 8,
  title: `${runs} sequential runs (child mode, \`true\`): heap, RSS, open descriptors`,
  baseline: 'none',
  target: 'flat (no growth beyond noise)',
  rounds: 1,
  rows: [
    row(`heap growth, run ${every} to ${runs}`, 'MiB', { a: growth('heap') }, { max: 1 }),
    row(`RSS growth, run ${every} to ${runs}`, 'MiB', { a: growth('rss') }, { max: 16 }),
    row(
      `open descriptors growth, run ${every} to ${runs}`,
      'fds',
      { a: growth('fds') },
      { max: 0 },
    ),
  ],
  details: [
    `Samples every ${every} runs, after a full GC: heap ${samples.map((s) => s.heap.toFixed(1)).join(', ')} MiB.`,
    `RSS ${samples.map((s) => s.rss.toFixed(0)).join(', ')} MiB; descriptors ${samples.map((s) => s.fds).join(', ')}.`,
    `Heap after warm-up ranges ${Math.min(...later.map((s) => s.heap)).toFixed(1)}-${Math.max(...later.map((s) => s.heap)).toFixed(1)} MiB. "Noise" is taken as 1 MiB of heap and 16 MiB of RSS (allocator and page-cache slack).`,
    `${runs} runs took ${seconds.toFixed(0)} s (${((seconds * 1000) / runs).toFixed(1)} ms per run).`,
  ],
});
