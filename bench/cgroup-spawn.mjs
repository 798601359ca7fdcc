// The cost of cgroup containment (src/os/cgroup), side by side in one run (not part of
// `npm run bench` yet; run `npm run build && node bench/cgroup-spawn.mjs [--quick]` as root,
// or in a delegated cgroup):
// 1. 200 spawns of `true` from Node: raw, against spawnInCgroup with the whole life of its
//    cgroup (mkdir the leaf, place, spawn, exit, rmdir), alternating which goes first; then
//    raw against the placement alone (a leaf made beforehand), to show where the cost is;
// 2. a 201-process tree (root, 100 children, 50 `setsid`, 50 `setsid env -i`) ended by
//    killCgroup + waitCgroupEmpty, by cgroup.kill and by the freeze fallback, beside the
//    kernel's floor as FIELD-NOTES measured it: cgroup.kill then a tight loop reading
//    cgroup.events until `populated 0` (the loop takes one of the two cores from the teardown),
//    and cgroup.kill then a read every millisecond.
// Writes test-artifacts/bench-cgroup-spawn.json and prints medians.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createRunLeaf, openArea } from '../dist/os/cgroup/cgroup-area.js';
import { writeCgroupFile } from '../dist/os/cgroup/cgroup-files.js';
import { probeCgroups } from '../dist/os/cgroup/cgroup-probe.js';
import { killCgroup } from '../dist/os/cgroup/kill-cgroup.js';
import { removeCgroup } from '../dist/os/cgroup/remove-cgroup.js';
import { spawnInCgroup } from '../dist/os/cgroup/spawn-in-cgroup.js';
import { listCgroupPids, waitCgroupEmpty } from '../dist/os/cgroup/wait-cgroup.js';
import { randomHex } from '../dist/os/random-hex.js';
import { alternate, size, summarize } from './lib.mjs';

const probe = probeCgroups();
if (!probe.available) {
  console.error(`cgroup containment is unavailable here (${probe.code}): ${probe.reason}`);
  process.exit(1);
}
const home = probe.own;
const area = openArea(home.dir, `rwbench-${randomHex(6)}`);

/** Resolves when `child` has exited (and was reaped). */
const exited = (child) =>
  new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });

let serial = 0;

/** One raw spawn of `true`, until its exit: ms. */
async function rawSpawn() {
  const start = performance.now();
  await exited(spawn('/bin/true', [], { stdio: 'ignore' }));
  return performance.now() - start;
}

/** The same in a cgroup of its own: mkdir, place, spawn, exit, rmdir: ms. */
async function cgroupSpawn() {
  const start = performance.now();
  const leaf = createRunLeaf(area.dir, `s${serial++}`, 1);
  const child = spawnInCgroup(leaf, () => spawn('/bin/true', [], { stdio: 'ignore' }), { home });
  await exited(child);
  // The exit was reaped: the cgroup is depopulated already (a member leaves it at exit).
  removeCgroup(leaf);
  return performance.now() - start;
}

// 100 children, 50 of them in a new session, 50 in a new session with an empty environment.
const TREE = [
  'i=0; while [ $i -lt 100 ]; do sleep 600 & i=$((i+1)); done',
  'i=0; while [ $i -lt 50 ]; do setsid sleep 600 & i=$((i+1)); done',
  'i=0; while [ $i -lt 50 ]; do setsid env -i /bin/sleep 600 & i=$((i+1)); done',
  'wait',
].join('\n');

const ready = [];

/** Placement alone: spawn into a leaf made beforehand, until its exit: ms. */
async function placedSpawn() {
  const leaf = createRunLeaf(area.dir, `p${serial++}`, 1);
  ready.push(leaf);
  const start = performance.now();
  const child = spawnInCgroup(leaf, () => spawn('/bin/true', [], { stdio: 'ignore' }), { home });
  await exited(child);
  return performance.now() - start;
}

/** Starts the 201-process tree in a new leaf and waits until all are in it. */
async function startTree() {
  const leaf = createRunLeaf(area.dir, `t${serial++}`, 1);
  const root = spawnInCgroup(leaf, () => spawn('/bin/sh', ['-c', TREE], { stdio: 'ignore' }), {
    home,
  });
  const root$ = exited(root);
  for (let tries = 0; listCgroupPids(leaf).length < 201; tries++) {
    if (tries > 3000) throw new Error(`the tree did not reach 201 processes in ${leaf}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { leaf, root$ };
}

/** Ends a tree one way; ms from the first write until `populated 0` was seen. */
async function endTree(how) {
  const { leaf, root$ } = await startTree();
  const start = performance.now();
  const empty = () => readFileSync(`${leaf}/cgroup.events`, 'utf8').includes('populated 0');
  if (how === 'floor') {
    writeCgroupFile(leaf, 'cgroup.kill', '1');
    while (!empty());
  } else if (how === 'floor-1ms') {
    writeCgroupFile(leaf, 'cgroup.kill', '1');
    while (!empty()) await new Promise((resolve) => setTimeout(resolve, 1));
  } else {
    await killCgroup(leaf, { method: how });
    await waitCgroupEmpty(leaf, { timeoutMs: 30_000 });
  }
  const elapsed = performance.now() - start;
  await root$;
  removeCgroup(leaf);
  return elapsed;
}

const fmt = (s) =>
  `median ${s.median.toFixed(2)} ms (p25 ${s.p25.toFixed(2)}, p75 ${s.p75.toFixed(2)}, n ${s.n})`;

try {
  const spawns = await alternate({
    rounds: size(200, 30),
    warmup: 20,
    a: rawSpawn,
    b: cgroupSpawn,
  });
  console.log(`spawn of true, raw:               ${fmt(spawns.a)}`);
  console.log(`spawn of true, own cgroup:        ${fmt(spawns.b)}`);
  console.log(
    `ratio of medians:                 ${(spawns.b.median / spawns.a.median).toFixed(2)}x`,
  );
  const placed = await alternate({
    rounds: size(200, 30),
    warmup: 20,
    a: rawSpawn,
    b: placedSpawn,
  });
  for (const leaf of ready.splice(0)) removeCgroup(leaf);
  console.log(`spawn of true, raw:               ${fmt(placed.a)}`);
  console.log(`spawn of true, placed (leaf made): ${fmt(placed.b)}`);
  console.log(
    `ratio of medians:                 ${(placed.b.median / placed.a.median).toFixed(2)}x`,
  );
  const kills = { floor: [], 'floor-1ms': [], 'cgroup.kill': [], freeze: [] };
  for (let round = 0; round < size(5, 2); round++) {
    // Rotated order, so no way always runs on the same state of the machine.
    const order = ['floor', 'floor-1ms', 'auto', 'freeze'];
    for (let k = 0; k < round % 4; k++) order.push(order.shift());
    for (const how of order) kills[how === 'auto' ? 'cgroup.kill' : how].push(await endTree(how));
  }
  const treeResults = Object.fromEntries(Object.entries(kills).map(([k, v]) => [k, summarize(v)]));
  for (const [how, s] of Object.entries(treeResults)) {
    console.log(`201-process tree, ${how.padEnd(12)}   ${fmt(s)}`);
  }
  const floor = Math.min(treeResults.floor.median, treeResults['floor-1ms'].median);
  console.log(
    `killCgroup + waitCgroupEmpty vs the lower floor: ${(treeResults['cgroup.kill'].median / floor).toFixed(2)}x (cgroup.kill), ${(treeResults.freeze.median / floor).toFixed(2)}x (freeze)`,
  );
  mkdirSync('test-artifacts', { recursive: true });
  writeFileSync(
    'test-artifacts/bench-cgroup-spawn.json',
    `${JSON.stringify({ kill: probe.kill, spawns, placed, tree: treeResults }, null, 2)}\n`,
  );
} finally {
  for (const leaf of ready) removeCgroup(leaf);
  await killCgroup(area.dir);
  await waitCgroupEmpty(area.dir, { timeoutMs: 30_000 });
  removeCgroup(area.dir);
}
