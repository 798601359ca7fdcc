import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { collectRunTree } from '../../src/os/collect-run-tree.js';
import { readProcStat } from '../../src/os/proc-fs.js';
import { identityFromStat, readIdentity } from '../../src/os/process-identity.js';
import { childrenOf, cmdlineOf } from '../support/proc-info.js';
import { destroyAllSpawned, spawnProcess, spawnTree, uniqueRunId } from '../support/spawn-tree.js';
import {
  byCommand,
  member,
  sorted,
  spawnEscapees,
  waitForMembers,
} from '../support/tree-members.js';
import { waitUntil } from '../support/wait-for.js';
import { spawnZombieMaker, waitForZombie } from '../support/zombie.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runwarden-collect-'));
});
afterEach(async () => {
  await destroyAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

/** A marker no process carries. */
function unusedMarker(): string {
  return `${RUN_MARKER}=nobody-has-${randomUUID()}`;
}

describe('collectRunTree on an escapee tree', () => {
  test('finds all three sleeps, each for the reasons that hold', async () => {
    const { tree, members } = await spawnEscapees();
    const root = member(members, 'sleep 63');
    const orphan = member(members, 'sleep 61');
    const escapee = member(members, 'sleep 62');

    expect(root.identity).toEqual(tree.root);
    expect(sorted(root.via)).toEqual(['group', 'marker', 'root', 'session']);

    // Double-forked: reparented away from the root, still in its group and session.
    expect(readProcStat(orphan.identity.pid)?.ppid).not.toBe(tree.pid);
    expect(orphan.identity).toMatchObject({ pgid: tree.pid, sid: tree.pid });
    expect(sorted(orphan.via)).toEqual(['group', 'marker', 'session']);

    // setsid: its own session and group; only the marker gives it away.
    expect(escapee.identity.sid).toBe(escapee.identity.pid);
    expect(escapee.identity.pgid).toBe(escapee.identity.pid);
    expect(escapee.via).toEqual(['marker']);

    for (const m of members.values()) {
      expect(m.comm).toBe('sleep');
      expect(m.identity).toEqual(readIdentity(m.identity.pid));
    }
  });

  test('lists as unreadable only non-members whose environment really cannot be read', async () => {
    // Even root may be refused some environments (here: pid 1 in a sandbox).
    const { tree } = await spawnEscapees();
    const found = collectRunTree({ marker: tree.marker, root: tree.root });
    const memberPids = found.members.map((m) => m.identity.pid);
    for (const pid of found.unreadable) {
      expect(memberPids).not.toContain(pid);
      expect(() => readFileSync(`/proc/${pid}/environ`)).toThrow(
        expect.objectContaining({ code: 'EACCES' }),
      );
      // Kernel threads have no environment and are skipped, never reported.
      expect(pid).not.toBe(2);
      expect(readProcStat(pid)?.ppid).not.toBe(2);
    }
  });

  test('without a root, the marker alone finds every sleep', async () => {
    const { tree } = await spawnEscapees();
    const members = byCommand(collectRunTree({ marker: tree.marker, root: null }).members);
    expect([...members.keys()].sort()).toEqual(['sleep 61', 'sleep 62', 'sleep 63']);
    for (const m of members.values()) expect(m.via).toEqual(['marker']);
  });

  test('never includes the calling process', async () => {
    const { tree } = await spawnEscapees();
    const pids = collectRunTree({ marker: tree.marker, root: tree.root }).members.map(
      (m) => m.identity.pid,
    );
    expect(pids).not.toContain(process.pid);
  });
});

describe('collectRunTree never takes in what is not the run', () => {
  test('unmarked, differently marked and ungrouped processes are not members', async () => {
    const { tree } = await spawnEscapees();
    const runId = tree.runId ?? '';
    const outsiders = [
      spawnProcess('sleep', ['30'], { runId: null }), // own session, no marker
      spawnProcess('sleep', ['30'], { runId: null, detached: false }), // this worker's group
      spawnProcess('sleep', ['30'], { runId: `${runId}x` }), // marker value extends ours
      spawnProcess('sleep', ['30'], { runId: runId.slice(0, -1) }), // marker value prefixes ours
      spawnProcess('sleep', ['30'], { runId: null, env: { [`X${RUN_MARKER}`]: runId } }),
    ];
    const pids = collectRunTree({ marker: tree.marker, root: tree.root }).members.map(
      (m) => m.identity.pid,
    );
    expect(pids).toHaveLength(3);
    for (const outsider of outsiders) expect(pids).not.toContain(outsider.pid);
  });

  test("another run's query does not find this run's processes", async () => {
    const { tree, members } = await spawnEscapees();
    const other = spawnProcess('sleep', ['30'], { runId: uniqueRunId('other') });
    const found = collectRunTree({ marker: other.marker, root: other.root }).members;
    expect(found.map((m) => m.identity.pid)).toEqual([other.pid]);
    expect(sorted(found[0]?.via ?? [])).toEqual(['group', 'marker', 'root', 'session']);
    for (const m of members.values()) expect(m.identity.pid).not.toBe(other.pid);
    expect(tree.pid).not.toBe(other.pid);
  });

  test('a stale root (its pid now names another process) brings in nothing by pid', async () => {
    // PID reuse: the recorded root's pid now belongs to a live process that started later.
    const { tree } = await spawnEscapees();
    const stale = { ...tree.root, startTicks: tree.root.startTicks - 1 };
    const found = collectRunTree({ marker: unusedMarker(), root: stale });
    expect(found.members).toEqual([]);
    expect(found.unreadable).not.toContain(tree.pid);
  });

  test('a root that only leads its group does not sweep the session it lives in', async () => {
    // Job control gives each background job its own group inside bash's session: the job
    // leads its group, but the session is bash's, not the job's.
    const tree = spawnTree('set -m; sleep 71 & sleep 0.2; sleep 72 & wait', { runId: null });
    const [first, second] = await waitUntil(
      () => {
        const jobs = childrenOf(tree.pid);
        const a = jobs.find((s) => cmdlineOf(s.pid) === 'sleep 71');
        const b = jobs.find((s) => cmdlineOf(s.pid) === 'sleep 72');
        return a !== undefined && b !== undefined && ([a, b] as const);
      },
      5000,
      'both background jobs',
    );
    expect(first.pgid).toBe(first.pid);
    expect(first.sid).toBe(tree.pid);
    expect(second.sid).toBe(tree.pid);
    expect(second.startTicks).toBeGreaterThan(first.startTicks);

    const found = collectRunTree({ marker: unusedMarker(), root: identityFromStat(first) });
    expect(found.members.map((m) => [m.identity.pid, sorted(m.via)])).toEqual([
      [first.pid, ['group', 'root']],
    ]);
  });

  test('zombies are never members', async () => {
    const { tree, identity, release } = await spawnZombieMaker(dir);
    const query = { marker: tree.marker, root: tree.root };
    expect(
      collectRunTree(query)
        .members.map((m) => m.identity.pid)
        .sort(),
    ).toEqual([tree.pid, identity.pid].sort());
    await release();
    await waitForZombie(identity.pid);
    expect(collectRunTree(query).members.map((m) => m.identity.pid)).toEqual([tree.pid]);
  });
});

describe('collectRunTree membership beyond the marker', () => {
  test('children that dropped the marker are found as descendants', async () => {
    const script = `env -u ${RUN_MARKER} sleep 64 & setsid env -u ${RUN_MARKER} sleep 65 & wait`;
    const tree = spawnTree(script);
    const members = await waitForMembers({ marker: tree.marker, root: tree.root }, [
      `bash -c ${script}`,
      'sleep 64',
      'sleep 65',
    ]);
    expect(sorted(member(members, `bash -c ${script}`).via)).toEqual([
      'group',
      'marker',
      'root',
      'session',
    ]);
    expect(sorted(member(members, 'sleep 64').via)).toEqual(['descendant', 'group', 'session']);
    // Own session, no marker: only the parent chain still ties it to the run.
    expect(member(members, 'sleep 65').via).toEqual(['descendant']);
  });

  test('after the root exited, group and session ids are no longer trusted: only markers count', async () => {
    // Once the root is gone its pid may be reused by an unrelated process that leads a
    // new session; a process of that session must never be taken for the run's.
    const tree = spawnTree('sleep 66 & exit 0');
    expect(await tree.exited).toEqual({ code: 0, signal: null });
    const withoutMarker = collectRunTree({ marker: unusedMarker(), root: tree.root });
    expect(withoutMarker.members).toEqual([]);
    const members = await waitForMembers({ marker: tree.marker, root: tree.root }, ['sleep 66']);
    expect(sorted(member(members, 'sleep 66').via)).toEqual(['marker']);
  });
});
