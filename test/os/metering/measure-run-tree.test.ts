// measureRunTree on real process trees: membership as collectRunTree finds it, resident
// memory, CPU (its own and that of reaped children), zombies, and a tree that died.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { collectRunTree } from '../../../src/os/collect-run-tree.js';
import { measureRunTree } from '../../../src/os/metering/measure-run-tree.js';
import { createProcScanner } from '../../../src/os/metering/proc-scan.js';
import type { TreeMeasure } from '../../../src/os/metering/metering-types.js';
import {
  destroyAllSpawned,
  destroyTree,
  spawnProcess,
  spawnTree,
  uniqueRunId,
  type SpawnedTree,
} from '../../support/spawn-tree.js';
import { spawnEscapees } from '../../support/tree-members.js';
import { waitUntil } from '../../support/wait-for.js';
import { spawnZombieMaker, waitForZombie } from '../../support/zombie.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runwarden-metering-'));
});
afterEach(async () => {
  await destroyAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

const scanner = createProcScanner();

/** Measures a spawned tree from a fresh scan. */
function measure(tree: SpawnedTree): TreeMeasure {
  return measureRunTree(scanner.scan(), { root: tree.root, marker: tree.marker });
}

/** Waits for a measure that satisfies `ready`. */
function measureUntil(
  tree: SpawnedTree,
  ready: (m: TreeMeasure) => boolean,
  what: string,
): Promise<TreeMeasure> {
  return waitUntil(
    () => {
      const m = measure(tree);
      return ready(m) && m;
    },
    10_000,
    what,
  );
}

const commands = (m: TreeMeasure) => m.members.map((member) => member.command).sort();
const pids = (pidList: readonly number[]) => [...pidList].sort((a, b) => a - b);

describe('membership', () => {
  test('finds the escapees (double fork, setsid) exactly as collectRunTree does', async () => {
    const { tree } = await spawnEscapees();
    const m = measure(tree);
    expect(commands(m)).toEqual(['sleep 61', 'sleep 62', 'sleep 63']);
    expect(m.processes).toBe(3);
    const collected = collectRunTree({ marker: tree.marker, root: tree.root }).members;
    expect(pids(m.members.map((p) => p.pid))).toEqual(pids(collected.map((p) => p.identity.pid)));
  });

  test('a grandchild that calls setsid and drops the marker is found by its parent link', async () => {
    const tree = spawnTree(
      'sleep 71 & bash -c "env -u RUNWARDEN_RUN_ID setsid sleep 72 & wait" & wait',
    );
    // Every member past its exec (a fork caught before it would still be called bash).
    const m = await measureUntil(
      tree,
      (m) =>
        m.members.length === 4 &&
        commands(m).includes('sleep 71') &&
        commands(m).includes('sleep 72'),
      'bash, sleep 71, bash, sleep 72',
    );
    const grandchild = m.members.find((p) => p.command === 'sleep 72');
    const inner = m.members.find((p) => p.pid === grandchild?.ppid);
    expect(inner?.comm).toBe('bash');
    expect(inner?.ppid).toBe(tree.pid);
    expect(m.members.map((p) => p.comm).sort()).toEqual(['bash', 'bash', 'sleep', 'sleep']);
    const collected = collectRunTree({ marker: tree.marker, root: tree.root }).members;
    expect(pids(m.members.map((p) => p.pid))).toEqual(pids(collected.map((p) => p.identity.pid)));
    // Only its parent link ties it to the run: with the marker alone it is not found.
    const byMarker = measureRunTree(scanner.scan(), { root: null, marker: tree.marker });
    expect(byMarker.members.map((p) => p.command)).not.toContain('sleep 72');
    expect(byMarker.processes).toBe(3);
  });

  test('a root of another boot names nobody; a null marker matches nothing', async () => {
    const { tree } = await spawnEscapees();
    const otherBoot = { ...tree.root, bootId: 'another-boot' };
    expect(measureRunTree(scanner.scan(), { root: otherBoot, marker: null }).processes).toBe(0);
    expect(measureRunTree(scanner.scan(), { root: otherBoot, marker: tree.marker }).processes).toBe(
      3,
    );
  });
});

describe('memory', () => {
  test('a process holding 64 MiB is measured at least that, as VmRSS says', async () => {
    const tree = spawnProcess(
      process.execPath,
      ['-e', 'const b = Buffer.alloc(64 << 20, 1); setInterval(() => b[0]++, 1000)'],
      { runId: uniqueRunId('rss') },
    );
    const vmRss = (): number => {
      const status = readFileSync(`/proc/${tree.pid}/status`, 'latin1');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
    };
    // Once Node has settled after its start, the measure agrees with status's VmRSS (the
    // same counter, read a moment later) to within a MiB.
    const m = await measureUntil(
      tree,
      (m) => m.rssBytes >= 64 << 20 && Math.abs(vmRss() - m.rssBytes) < 1 << 20,
      'an RSS of 64 MiB, as VmRSS says',
    );
    expect(m.processes).toBe(1);
    expect(m.members[0]?.rssBytes).toBe(m.rssBytes);
  });
});

describe('CPU', () => {
  test('a busy child makes the CPU time grow', async () => {
    const tree = spawnTree('sleep 300 & while :; do :; done');
    const first = await measureUntil(tree, (m) => m.processes === 2, 'the shell and its sleep');
    const later = await measureUntil(
      tree,
      (m) => m.cpuMs >= first.cpuMs + 300,
      '300 ms more CPU time',
    );
    const shell = later.members.find((p) => p.pid === tree.pid);
    expect(shell?.cpuMs).toBeGreaterThanOrEqual(300);
  });

  test('the CPU of a child its parent reaped stays in the tree (cutime)', async () => {
    // The child burns one second of CPU (ulimit -t ends it), bash reaps it, then sleeps.
    const tree = spawnTree('sh -c "ulimit -t 1; while :; do :; done"; sleep 300');
    const m = await measureUntil(
      tree,
      (m) =>
        // The sleep runs only once the burner has been reaped.
        m.members.some((p) => p.command === 'sleep 300') && !m.members.some((p) => p.comm === 'sh'),
      'the burner gone and the sleep running',
    );
    // /proc reports a little less than the limit (0.83 to 0.95 s measured here, under load);
    // without the reaped child's CPU, a shell and a sleep would show next to nothing.
    expect(m.cpuMs).toBeGreaterThanOrEqual(500);
    // It is the root's: the children it waited for.
    expect(m.members.find((p) => p.pid === tree.pid)?.cpuMs).toBeGreaterThanOrEqual(500);
  });
});

describe('zombies and the dead', () => {
  test('a zombie is listed (state Z, no memory) and counted apart from live processes', async () => {
    const maker = await spawnZombieMaker(dir);
    await maker.release();
    await waitForZombie(maker.identity.pid);
    const m = measure(maker.tree);
    expect(m.processes).toBe(1);
    expect(m.zombies).toBe(1);
    const zombie = m.members.find((p) => p.pid === maker.identity.pid);
    expect(zombie).toMatchObject({ state: 'Z', rssBytes: 0, comm: 'head', command: 'head' });
    expect(m.rssBytes).toBe(m.members.find((p) => p.pid === maker.tree.pid)?.rssBytes);
  });

  test('a run whose processes all died measures 0', async () => {
    const tree = spawnTree('sleep 81 & sleep 82 & wait');
    await measureUntil(tree, (m) => m.processes === 3, 'three processes');
    await destroyTree(tree);
    expect(measure(tree)).toEqual({
      processes: 0,
      zombies: 0,
      threads: 0,
      rssBytes: 0,
      cpuMs: 0,
      members: [],
    });
  });
});
