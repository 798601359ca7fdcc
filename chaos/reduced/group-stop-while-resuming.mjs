#!/usr/bin/env node
// The smallest plan found for the chaos failures of seeds 6 and 59 (fixed; chaos/seeds.mjs: a group
// cancel that never answers, a kill-policy shutdown that never ends, runs left running or
// held): a group that stops its children while a restart of its own is starting one of them
// again. Against the built library (dist/):
//   node chaos/reduced/group-stop-while-resuming.mjs cancel   # group.cancel() meanwhile
//   node chaos/reduced/group-stop-while-resuming.mjs refail   # a second failure meanwhile
// Exit 0 when the group behaves, 1 when it is stuck (with what it shows), 2 on bad usage.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createSupervisor } from '../../dist/index.js';
import { finish, killRun, showRuns, waitSettled } from './reduced-plan.mjs';

const scenario = process.argv[2];
if (scenario !== 'cancel' && scenario !== 'refail') {
  process.stderr.write('usage: group-stop-while-resuming.mjs cancel|refail\n');
  process.exit(2);
}
const home = mkdtempSync(join(tmpdir(), 'runwarden-reduced-'));
const fail = join(home, 'fail');
const sup = await createSupervisor({ home });
// cancel: one-for-all; refail: rest-for-one. Four members, started again one at a time;
// the first one fails again (exit 1) at its next start while the file `fail` exists.
const group = await sup.group('g', {
  strategy: scenario === 'cancel' ? 'one-for-all' : 'rest-for-one',
  maxRestarts: 10,
});
const runs = [];
for (let k = 0; k < 4; k++) {
  const again = k === 0 ? `if [ -e ${fail} ]; then rm -f ${fail}; exit 1; fi; ` : '';
  const script = `trap 'exit 0' TERM; ${again}sleep 60 & wait $!`;
  const spec = { command: 'bash', args: ['-c', script], restart: 'on-failure' };
  runs.push(await group.spawn({ ...spec, restartDelayMs: 200, killGraceMs: 2000 }));
}
const show = () => showRuns(sup, runs);
if (scenario === 'refail') writeFileSync(fail, '');
killRun(runs[0]); // the first failure: the group restarts
// Wait until the restart is starting the second member again (the first one is started).
const second = () => sup.get(runs[1].id);
const until = Date.now() + 10_000;
while (!(second()?.generation === 2 && second()?.state !== 'held') && Date.now() < until)
  await sleep(0);
const seen = `states when the group was ${scenario === 'cancel' ? 'cancelled' : 'left'}: ${show()}`;
let stuck;
if (scenario === 'cancel') {
  const cancelled = group.cancel().then(() => 'answered');
  stuck = (await Promise.race([cancelled, sleep(10_000, 'no answer')])) === 'no answer';
} else {
  stuck = !(await waitSettled(sup, runs, 10_000));
}
console.log(seen);
console.log(`after 10 s: ${show()}; group ${JSON.stringify(sup.groups()[0] ?? null)}`);
console.log(stuck ? 'STUCK: the group never got past the member it was starting' : 'ok');
await finish(sup, runs, home, stuck);
