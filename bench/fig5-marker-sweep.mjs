// Figure 5: the marker sweep (every process's stat and environment) over /proc with 2,000
// processes present, against reading /proc/*/stat once.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { RUN_MARKER } from '../dist/index.js';
import { findMarkedProcesses } from '../dist/os/find-marked-processes.js';
import { createProcfsTable } from '../dist/os/procfs-table.js';
import { alternate, report, row, size, waitUntil } from './lib.mjs';

const extra = size(2000, 200);
const marker = `bench-fig5-${process.pid}`;
// One shell forks the processes (cheap forks); all stay in its process group.
const shell = spawn('bash', ['-c', `for i in $(seq ${extra}); do sleep 600 & done; wait`], {
  detached: true,
  stdio: 'ignore',
  env: { ...process.env, [RUN_MARKER]: marker },
});
const present = () => findMarkedProcesses(RUN_MARKER).found.filter((p) => p.value === marker);
await waitUntil(() => present().length >= extra, 60_000, `${extra} processes`);
const total = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length;

// The baseline: the obvious way to read every stat once.
const readStats = () => {
  let n = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      readFileSync(`/proc/${name}/stat`, 'latin1');
      n++;
    } catch {
      // exited meanwhile
    }
  }
  return n;
};
// A first sweep, as at boot: a new table remembers no environment yet.
const coldSweep = () => {
  const table = createProcfsTable();
  const stats = table.list().filter((stat) => stat.pid !== process.pid);
  return table.environValues(
    stats.map((stat) => stat.pid),
    RUN_MARKER,
  ).size;
};
const timed = (work) => () => {
  const started = performance.now();
  work();
  return performance.now() - started;
};
const rounds = size(10, 3);
findMarkedProcesses(RUN_MARKER); // warms the shared table's memory of settled processes
const cold = await alternate({ rounds, a: timed(coldSweep), b: timed(readStats) });
const warm = await alternate({
  rounds,
  a: timed(() => findMarkedProcesses(RUN_MARKER)),
  b: timed(readStats),
});
const found = present().length;

process.kill(-shell.pid, 'SIGKILL'); // the group our own unreaped shell leads
await waitUntil(() => present().length === 0, 30_000, 'the sleeps to die');
report({
  id: 5,
  title: `marker sweep over /proc with ${extra} extra processes present (${total} in all)`,
  baseline: 'reading /proc/*/stat once (readdirSync + readFileSync per process)',
  target: '<= 2x the baseline',
  rounds,
  rows: [
    row('first sweep (stat + environ of every process)', 'ms', cold, { maxRatio: 2 }),
    row('later sweeps (environments of settled processes remembered)', 'ms', warm, {
      maxRatio: 2,
    }),
  ],
  details: [
    `The sweep found all ${found} marked processes.`,
    'Both read /proc the same way in every round; the baseline parses nothing.',
  ],
});
