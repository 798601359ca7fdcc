#!/usr/bin/env node
// The smallest plan found for the chaos failure of seed 46 (fixed by 6e23871; 46 is a
// regression seed now. It showed a kill-policy shutdown that never ended, runs held and no
// process left): a group whose restart plan stops a child that is already stopped and
// waiting. A rest-for-one group [A, B, C]: B fails (C is stopped; B waits for its restart
// delay), then A fails while the group waits. The plan sends RECYCLE to B, which is held:
// before the fix B ignored it and the group waited for its report forever. Against the built library (dist/):
//   node chaos/reduced/group-recycle-held.mjs
// Exit 0 when the group restarts all three, 1 when it is stuck (with what it shows).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSupervisor } from '../../dist/index.js';
import { finish, killRun, showRuns, waitSettled } from './reduced-plan.mjs';

const home = mkdtempSync(join(tmpdir(), 'runwarden-reduced-'));
const sup = await createSupervisor({ home });
const group = await sup.group('g', { strategy: 'rest-for-one', maxRestarts: 10 });
const runs = [];
for (const delay of [100, 1500, 100]) {
  const script = "trap 'exit 0' TERM; sleep 60 & wait $!";
  const spec = { command: 'bash', args: ['-c', script], restart: 'on-failure' };
  runs.push(await group.spawn({ ...spec, restartDelayMs: delay, killGraceMs: 2000 }));
}
const show = () => showRuns(sup, runs);
killRun(runs[1]); // B fails: C is stopped, B waits 1.5 s
const until = Date.now() + 10_000;
while (sup.get(runs[2].id)?.state !== 'held' && Date.now() < until) await sleep(5);
console.log(`B failed, C stopped: ${show()}`);
killRun(runs[0]); // A fails while the group waits to start B again
const stuck = !(await waitSettled(sup, runs, 10_000));
console.log(`after 10 s: ${show()}; group ${JSON.stringify(sup.groups()[0] ?? null)}`);
console.log(stuck ? 'STUCK: the group waits for a held run to stop' : 'ok');
await finish(sup, runs, home, stuck);
