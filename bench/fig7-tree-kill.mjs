// Figure 7: termination of a 200-process tree with escapees, SIGKILL at once, to verified
// dead, against kill(-pgid, SIGKILL) alone (which misses the escapees).
import { spawn } from 'node:child_process';
import { createSupervisor, RUN_MARKER } from '../dist/index.js';
import { findMarkedProcesses } from '../dist/os/find-marked-processes.js';
import { signalVerified } from '../dist/os/signal-verified.js';
import { alternate, report, row, size, tempHome, waitUntil } from './lib.mjs';

const inGroup = size(150, 30);
const escapees = size(50, 10);
const members = inGroup + escapees;
// setsid: each escapee leads a new session, out of the group (no job control in bash -c).
const TREE = `for i in $(seq ${inGroup}); do sleep 600 & done; for i in $(seq ${escapees}); do setsid sleep 600 & done; wait`;
const home = tempHome('fig7');
const sup = await createSupervisor({ home: home.dir });
const marked = (value) => findMarkedProcesses(RUN_MARKER).found.filter((p) => p.value === value);
const missed = [];

const viaRunwarden = async () => {
  const run = await sup.spawn({ command: 'bash', args: ['-c', TREE], killGraceMs: 0 });
  await waitUntil(() => marked(run.id).length >= members + 1, 60_000, 'the tree');
  const started = performance.now();
  const exit = await run.cancel();
  const ms = performance.now() - started;
  if (exit.survivors.length > 0 || marked(run.id).length > 0) throw new Error('survivors');
  return ms;
};
let raw = 0;
const viaGroupKill = async () => {
  const value = `bench-raw-${process.pid}-${raw++}`;
  const child = spawn('bash', ['-c', TREE], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [RUN_MARKER]: value },
  });
  await waitUntil(() => marked(value).length >= members + 1, 60_000, 'the tree');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const started = performance.now();
  process.kill(-child.pid, 'SIGKILL'); // the group our own unreaped shell leads
  await exited;
  const ms = performance.now() - started;
  // Untimed: what the group kill missed, ended by verified identity.
  await waitUntil(() => marked(value).length <= escapees, 10_000, 'the group to die');
  const left = marked(value);
  missed.push(left.length);
  for (const p of left) signalVerified(p.identity, 'SIGKILL');
  await waitUntil(() => marked(value).length === 0, 10_000, 'the escapees to die');
  return ms;
};

const rounds = size(5, 2);
const stats = await alternate({ rounds, a: viaRunwarden, b: viaGroupKill });
await sup.shutdown();
home.remove();
report({
  id: 7,
  title: `termination of a ${members + 1}-process tree with ${escapees} escapees, SIGKILL at once, to verified dead`,
  baseline: 'kill(-pgid, SIGKILL) alone, timed until the root is reaped (it misses the escapees)',
  target: '<= 150 ms',
  rounds,
  rows: [row('cancel() to verified dead', 'ms', stats, { max: 150 })],
  details: [
    `runwarden: \`run.cancel()\` with killGraceMs 0: SIGKILL only, to every member after re-checking its identity; resolved once every member is verified dead and the final record is written.`,
    `The group kill left ${missed.join(', ')} escapees alive per round (of ${escapees}).`,
  ],
});
