// Figure 9: the durable run host's resident memory per additional durable PTY run.
import { readFileSync } from 'node:fs';
import { createSupervisor } from '../dist/index.js';
import { report, row, size, sleep, summarize, tempHome, waitUntil } from './lib.mjs';

// Hosts of this figure leave promptly once they hold no run.
process.env.RUNWARDEN_HOST_LINGER_MS = '200';
const extra = size(100, 10);
const rounds = size(3, 1);

/** Resident set of a process, in KiB (VmRSS of /proc/<pid>/status). */
function rssKiB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? Number.NaN);
}

// Each run prints a line a second, so the host also writes its log and serves a stream.
const spec = {
  mode: 'pty',
  durable: true,
  command: 'sh',
  args: ['-c', 'while :; do echo tick; sleep 1; done'],
  killGraceMs: 500,
};

const perRun = [];
const hostBase = [];
for (let round = 0; round < rounds; round++) {
  const home = tempHome(`fig9-${round}`);
  const sup = await createSupervisor({ home: home.dir });
  const first = await sup.spawn(spec);
  const hostPid = first.info().host.pid;
  await sleep(1500);
  const base = rssKiB(hostPid);
  const runs = [first];
  for (let i = 0; i < extra; i++) runs.push(await sup.spawn(spec));
  // Let every run print and every stream settle before measuring.
  await waitUntil(() => runs.every((run) => run.info().outputBytes > 0), 60_000, 'output');
  await sleep(2000);
  const loaded = rssKiB(hostPid);
  hostBase.push(base / 1024);
  perRun.push((loaded - base) / extra);
  await sup.shutdown();
  await waitUntil(
    () => {
      try {
        readFileSync(`/proc/${hostPid}/status`);
        return false;
      } catch {
        return true;
      }
    },
    30_000,
    'the host to exit',
  );
  home.remove();
}

report({
  id: 9,
  title: `durable run host: RSS per additional durable PTY run (${extra} runs added to one)`,
  baseline: 'none',
  target: 'report',
  rounds,
  rows: [
    row('host RSS per additional durable PTY run', 'KiB', { a: summarize(perRun) }),
    row('host RSS holding one run', 'MiB', { a: summarize(hostBase) }),
  ],
  details: [
    'VmRSS of the run host process, read from /proc, with one run and after adding the others; each run prints a line a second into its log and its follower stream.',
  ],
});
