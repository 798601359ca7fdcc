import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { readBootId, readProcStat } from '../../src/os/proc-fs.js';
import {
  checkIdentity,
  currentBootId,
  identityFromStat,
  isDeadState,
  readIdentity,
} from '../../src/os/process-identity.js';
import { destroyAllSpawned, spawnProcess } from '../support/spawn-tree.js';
import { spawnZombieMaker, waitForZombie } from '../support/zombie.js';

const IMPOSSIBLE_PID = 2 ** 22 + 1;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'runwarden-identity-'));
});
afterEach(async () => {
  await destroyAllSpawned();
  rmSync(dir, { recursive: true, force: true });
});

describe('readIdentity', () => {
  test('names a live child: pid, start ticks, group and session, host and boot', () => {
    const tree = spawnProcess('sleep', ['30']);
    const identity = readIdentity(tree.pid);
    const stat = readProcStat(tree.pid);
    expect(identity).toEqual({
      hostname: hostname(),
      bootId: readBootId(),
      pid: tree.pid,
      startTicks: stat?.startTicks,
      pgid: tree.pid,
      sid: tree.pid,
    });
    // Started after this worker, so never earlier in ticks since boot.
    expect(identity?.startTicks).toBeGreaterThanOrEqual(readProcStat(process.pid)?.startTicks ?? 0);
  });

  test("a child that is not detached shares this process's group and session", () => {
    const tree = spawnProcess('sleep', ['30'], { detached: false, runId: null });
    const own = readProcStat(process.pid);
    expect(readIdentity(tree.pid)).toMatchObject({ pgid: own?.pgid, sid: own?.sid });
  });

  test('is undefined for a pid that does not exist', () => {
    expect(readIdentity(IMPOSSIBLE_PID)).toBeUndefined();
  });
});

describe('currentBootId and identityFromStat', () => {
  test('currentBootId is the kernel boot id', () => {
    expect(currentBootId()).toBe(readBootId());
  });

  test('identityFromStat keeps pid, start ticks, group and session, adds host and boot', () => {
    expect(
      identityFromStat({
        pid: 10,
        comm: 'x',
        state: 'S',
        ppid: 1,
        pgid: 11,
        sid: 12,
        startTicks: 13,
      }),
    ).toEqual({
      hostname: hostname(),
      bootId: readBootId(),
      pid: 10,
      startTicks: 13,
      pgid: 11,
      sid: 12,
    });
  });
});

describe('checkIdentity', () => {
  test('a running process is alive', () => {
    const tree = spawnProcess('sleep', ['30']);
    expect(checkIdentity(tree.root)).toBe('alive');
  });

  test('a process that was killed and reaped has exited', async () => {
    const tree = spawnProcess('sleep', ['30']);
    tree.child.kill('SIGKILL');
    expect(await tree.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(checkIdentity(tree.root)).toBe('exited');
  });

  test('a live pid with other start ticks is replaced (pid reuse), never alive', () => {
    const tree = spawnProcess('sleep', ['30']);
    for (const delta of [1, -1, 1000]) {
      const stale = { ...tree.root, startTicks: tree.root.startTicks + delta };
      expect(checkIdentity(stale)).toBe('replaced');
    }
    expect(checkIdentity(tree.root)).toBe('alive');
  });

  test('an identity from another host is uncertain, even when the pid is alive here', () => {
    const tree = spawnProcess('sleep', ['30']);
    expect(checkIdentity({ ...tree.root, hostname: `${hostname()}-other` })).toBe('uncertain');
    expect(checkIdentity({ ...tree.root, hostname: '', pid: IMPOSSIBLE_PID })).toBe('uncertain');
  });

  test('an identity from another boot has exited, even when the pid is alive now', () => {
    const tree = spawnProcess('sleep', ['30']);
    const otherBoot = '00000000-0000-4000-8000-000000000000';
    expect(checkIdentity({ ...tree.root, bootId: otherBoot })).toBe('exited');
  });

  test('a pid that does not exist has exited', () => {
    const tree = spawnProcess('sleep', ['30']);
    expect(checkIdentity({ ...tree.root, pid: IMPOSSIBLE_PID })).toBe('exited');
  });

  test('a zombie has exited, although kill(pid, 0) still succeeds', async () => {
    const { identity, release } = await spawnZombieMaker(dir);
    expect(checkIdentity(identity)).toBe('alive');
    await release();
    await waitForZombie(identity.pid);
    expect(checkIdentity(identity)).toBe('exited');
    expect(readIdentity(identity.pid)).toBeUndefined();
    // The naive liveness test would call it alive: the pid is still in the table.
    expect(() => process.kill(identity.pid, 0)).not.toThrow();
  });
});

describe('isDeadState', () => {
  test.each(['Z', 'X'])('%s is dead', (state) => {
    expect(isDeadState(state)).toBe(true);
  });
  test.each(['R', 'S', 'D', 'T', 't', 'I', 'W', 'P'])('%s is not dead', (state) => {
    expect(isDeadState(state)).toBe(false);
  });
});
