#!/usr/bin/env node
// The smallest plan found for the chaos failure of seed 46 (fixed by 6e23871; 46 is a
// regression seed now. It showed a kill-policy shutdown that never ended, runs held and no
// process left): a group whose restart plan stops a child that is already stopped and
// waiting. A rest-for-one group [A, B, C]: B fails (C is stopped; B waits for its restart
// delay), then A fails while the group waits. The plan sends RECYCLE to B, which is held:
// before the fix B ignored it and the group waited for its report forever. Against the built library (dist/):
//   node chaos/reduced/group-recycle-held.mjs
// Exit 0 when the group restarts all three, 1 when it is stuck (with what it shows).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSupervisor } from '../../dist/index.js';
import { findMarkedProcesses } from '../../dist/os/find-marked-processes.js';
import { RUN_MARKER } from '../../dist/os/run-marker.js';
import { signalVerified } from '../../dist/os/signal-verified.js';

const home = mkdtempSync(join(tmpdir(), 'runwarden-reduced-'));
const sup = await createSupervisor({ home });
const group = await sup.group('g', { strategy: 'rest-for-one', maxRestarts: 10 });
const runs = [];
for (const delay of [100, 1500, 100]) {
  const script = "trap 'exit 0' TERM; sleep 60 & wait $!";
  const spec = { command: 'bash', args: ['-c', script], restart: 'on-failure' };
  runs.push(await group.spawn({ ...spec, restartDelayMs: delay, killGraceMs: 2000 }));
}
const show = () => runs.map((run) => `${sup.get(run.id)?.state}/${sup.get(run.id)?.generation}`);
const kill = (run) => {
  const found = findMarkedProcesses(RUN_MARKER).found.find((p) => p.value === run.id);
  if (found !== undefined) signalVerified(found.identity, 'SIGKILL');
};
kill(runs[1]); // B fails: C is stopped, B waits 1.5 s
const until = Date.now() + 10_000;
while (sup.get(runs[2].id)?.state !== 'held' && Date.now() < until) await sleep(5);
console.log(`B failed, C stopped: ${show()}`);
kill(runs[0]); // A fails while the group waits to start B again
const deadline = Date.now() + 10_000;
const settled = () =>
  sup.groups()[0]?.state === 'active' &&
  runs.every((run) => ['running', 'idle'].includes(sup.get(run.id)?.state ?? ''));
while (!settled() && Date.now() < deadline) await sleep(20);
const stuck = !settled();
console.log(`after 10 s: ${show()}; group ${JSON.stringify(sup.groups()[0] ?? null)}`);
console.log(stuck ? 'STUCK: the group waits for a held run to stop' : 'ok');
// A stuck group would hold up a shutdown for good: whatever lives is ended by identity.
const ids = new Set(runs.map((run) => run.id));
for (const p of findMarkedProcesses(RUN_MARKER).found)
  if (ids.has(p.value)) signalVerified(p.identity, 'SIGKILL');
if (!stuck) await sup.shutdown();
rmSync(home, { recursive: true, force: true });
process.exit(stuck ? 1 : 0);
