import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { collectRunTree } from '../../src/os/collect-run-tree.js';
import { readProcStat } from '../../src/os/proc-fs.js';
import { checkIdentity } from '../../src/os/process-identity.js';
import {
  terminateRunTree,
  TreeTermination,
  type TerminateOptions,
  type TerminationReport,
} from '../../src/os/terminate-run-tree.js';
import { cmdlineOf } from '../support/proc-info.js';
import {
  destroyAllSpawned,
  liveMarked,
  spawnProcess,
  spawnTree,
  uniqueRunId,
  type SpawnedTree,
} from '../support/spawn-tree.js';
import { ESCAPEES, pidsOf, waitForCommands } from '../support/tree-members.js';
import { waitUntil } from '../support/wait-for.js';

// Generous: these trees die on the soft signals; SIGKILL would mean they did not.
const LONG_GRACE_MS = 10_000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runwarden-terminate-'));
});
afterEach(async () => {
  await destroyAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

function terminate(
  tree: SpawnedTree,
  options: Partial<Omit<TerminateOptions, 'query'>> = {},
): Promise<TerminationReport> {
  return terminateRunTree({
    query: { marker: tree.marker, root: tree.root },
    graceMs: LONG_GRACE_MS,
    softSignals: ['SIGTERM'],
    ...options,
  });
}

/** The report says the tree is dead; check that independently, member by member. */
function expectAllDead(report: TerminationReport, tree: SpawnedTree): void {
  expect(report.survivors).toEqual([]);
  expect(report.failures).toEqual([]);
  for (const member of report.members) expect(checkIdentity(member.identity)).toBe('exited');
  expect(liveMarked(tree)).toEqual([]);
  expect(collectRunTree({ marker: tree.marker, root: tree.root }).members).toEqual([]);
}

describe('terminateRunTree', () => {
  test('an escapee tree that ignores SIGTERM dies entirely, by SIGKILL', async () => {
    const tree = spawnTree('(sleep 61 &); (setsid sleep 62 &); trap "" TERM; sleep 63');
    const pids = await waitForCommands(tree, ['sleep 61', 'sleep 62', 'sleep 63']);
    expect(pids).toContain(tree.pid); // bash exec'd into `sleep 63`, TERM still ignored

    const report = await terminate(tree, { graceMs: 300 });

    expect(report.forced).toBe(true);
    expect(pidsOf(report.members)).toEqual(expect.arrayContaining(pids));
    expectAllDead(report, tree);
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  test('a tree that exits on SIGTERM is not forced, escapees included', async () => {
    const tree = spawnTree(ESCAPEES);
    const pids = await waitForCommands(tree, ['sleep 61', 'sleep 62', 'sleep 63']);

    const report = await terminate(tree);

    expect(report.forced).toBe(false);
    expect(pidsOf(report.members).sort()).toEqual([...pids].sort());
    expectAllDead(report, tree);
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('sends the soft signals in order: a process that ignores TERM but not HUP is not forced', async () => {
    const tree = spawnTree('trap "" TERM; exec sleep 69');
    await waitForCommands(tree, ['sleep 69']);

    const report = await terminate(tree, { softSignals: ['SIGHUP', 'SIGTERM'] });

    expect(report.forced).toBe(false);
    expectAllDead(report, tree);
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGHUP' });
  });

  test('a stopped process is continued so that it sees SIGTERM, without SIGKILL', async () => {
    const tree = spawnProcess('sleep', ['68']);
    tree.child.kill('SIGSTOP'); // not reaped: the pid is still ours
    await waitUntil(
      () => readProcStat(tree.pid)?.state === 'T',
      5000,
      `the stop (state now: ${readProcStat(tree.pid)?.state ?? 'gone'})`,
    );

    const report = await terminate(tree);

    expect(report.forced).toBe(false);
    expectAllDead(report, tree);
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGTERM' });
  });

  test('with no grace, SIGKILL is the only signal: a TERM or HUP trap never runs', async () => {
    const trapped = join(dir, 'trapped');
    const tree = spawnTree(
      `trap "echo x > ${trapped}" TERM HUP; (setsid sleep 67 &); sleep 66 & wait`,
    );
    // The trapping shell and its two sleeps (one an escapee in its own session).
    await waitUntil(
      () => collectRunTree({ marker: tree.marker, root: tree.root }).members.length === 3,
      5000,
      'the shell and both sleeps',
    );

    const report = await terminate(tree, { graceMs: 0, softSignals: ['SIGHUP', 'SIGTERM'] });

    expect(report.forced).toBe(true);
    expectAllDead(report, tree);
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(existsSync(trapped)).toBe(false);
  });

  test('a member whose group changed after the scan still gets its own SIGKILL', async () => {
    const tree = spawnTree(ESCAPEES);
    const [, escapee] = await waitForCommands(tree, ['sleep 61', 'sleep 62', 'sleep 63']);
    // Driven by hand: the escapee is handed over as if it had been scanned in the root's
    // group (it left it since): every member is signalled by its own verified identity,
    // never on the strength of a group it was once seen in.
    const termination = new TreeTermination({
      query: { marker: tree.marker, root: tree.root },
      graceMs: 0,
      softSignals: ['SIGTERM'],
    });
    const scanned = collectRunTree({ marker: tree.marker, root: tree.root });
    const stale = scanned.members.map((m) =>
      m.identity.pid === escapee ? { ...m, identity: { ...m.identity, pgid: tree.root.pgid } } : m,
    );
    expect(termination.prepare(Date.now())).toBe(true);
    termination.consume({ ...scanned, members: stale }, Date.now());
    while (!termination.done) {
      await new Promise((resolve) => setTimeout(resolve, termination.waitMs(Date.now())));
      if (termination.prepare(Date.now()))
        termination.consume(collectRunTree({ marker: tree.marker, root: tree.root }), Date.now());
    }
    const report = termination.report();
    expect(report.forced).toBe(true);
    expectAllDead(report, tree);
  });

  test('an empty tree returns without waiting out the grace period', async () => {
    // A 10-minute grace: were it waited for, the test would time out.
    const report = await terminateRunTree({
      query: { marker: `${RUN_MARKER}=nobody-has-${randomUUID()}`, root: null },
      graceMs: 600_000,
      softSignals: ['SIGTERM'],
    });
    expect(report).toMatchObject({ members: [], forced: false, survivors: [], failures: [] });
  });

  test('a root that already exited, with nothing left, returns at once', async () => {
    const tree = spawnProcess('sleep', ['30']);
    tree.child.kill('SIGKILL'); // not reaped yet: the pid is still ours
    await tree.exited;
    const report = await terminate(tree, { graceMs: 600_000 });
    expect(report).toMatchObject({ members: [], forced: false, survivors: [], failures: [] });
  });

  test('escapees of a root that already exited are still ended', async () => {
    const tree = spawnTree('(setsid sleep 62 &); (sleep 61 &); exit 0');
    expect(await tree.exited).toEqual({ code: 0, signal: null });
    const pids = await waitForCommands(tree, ['sleep 61', 'sleep 62']);

    const report = await terminate(tree);

    expect(pidsOf(report.members).sort()).toEqual([...pids].sort());
    expect(report.forced).toBe(false);
    expectAllDead(report, tree);
  });

  test('a process that keeps forking escapees while it is killed is still fully killed', async () => {
    // Ignores TERM and starts a new setsid'd sleep (also ignoring TERM) every 50 ms.
    const tree = spawnTree('trap "" TERM; while :; do (setsid sleep 66 &); sleep 0.05; done');
    await waitUntil(
      () => liveMarked(tree).filter((p) => cmdlineOf(p.pid) === 'sleep 66').length >= 3,
      5000,
      'a few forked escapees',
    );

    const report = await terminate(tree, { graceMs: 300 });

    expect(report.forced).toBe(true);
    expect(report.members.length).toBeGreaterThan(3);
    expectAllDead(report, tree);
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  test('an escapee forked by the TERM handler itself is found by a rescan and ended', async () => {
    const pidFile = join(dir, 'escapee.pid');
    const tree = spawnProcess(
      'bash',
      [
        '-c',
        `trap '(setsid sleep 67 & echo $! > "$1"); exit 0' TERM; while :; do sleep 0.05; done`,
        'bash',
        pidFile,
      ],
      { runId: uniqueRunId('term-handler') },
    );
    // A child of the loop proves the trap is set (bash alone could still be starting).
    const hasChild = () => {
      try {
        return readFileSync(`/proc/${tree.pid}/task/${tree.pid}/children`, 'utf8').trim() !== '';
      } catch {
        return false;
      }
    };
    await waitUntil(() => readProcStat(tree.pid)?.comm === 'bash' && hasChild(), 5000, 'the loop');

    const report = await terminate(tree);

    expect(await tree.exited).toEqual({ code: 0, signal: null });
    const escapee = Number(readFileSync(pidFile, 'utf8').trim());
    expect(pidsOf(report.members)).toContain(escapee);
    expect(report.forced).toBe(false);
    expectAllDead(report, tree);
  });
});
