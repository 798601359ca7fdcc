// The portable `ps` process table (macOS's), exercised on Linux procps.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { createProcfsTable } from '../../src/os/procfs-table.js';
import { createPsTable, parseRows } from '../../src/os/ps-table.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { liveMarked } from '../support/process-checks.js';
import { destroyAllSpawned, spawnProcess, uniqueRunId } from '../support/spawn-tree.js';
import { createTempHome } from '../support/temp-home.js';

const homes: Array<() => void> = [];
afterEach(async () => {
  for (const remove of homes.splice(0)) remove();
  await destroyAllSpawned();
});

test('parses ps rows: five-word lstart, commands with spaces, states', () => {
  const rows = parseRows(
    [
      '    1     0     0     0 Ss   Mon Nov 23 22:23:04 2026 init',
      '  812   700   812   501 Z+   Tue Dec  1 03:04:05 2026 Google Chrome Helper',
      'garbage line',
    ].join('\n'),
  );
  expect(rows).toEqual([
    {
      pid: 1,
      ppid: 0,
      pgid: 0,
      sid: -1,
      state: 'S',
      startTicks: Date.UTC(2026, 10, 23, 22, 23, 4) / 1000,
      comm: 'init',
    },
    {
      pid: 812,
      ppid: 700,
      pgid: 812,
      sid: -1,
      state: 'Z',
      startTicks: Date.UTC(2026, 11, 1, 3, 4, 5) / 1000,
      comm: 'Google Chrome Helper',
    },
  ]);
});

test('agrees with /proc on pids, parents and groups, and reads markers', () => {
  const tree = spawnProcess('sleep', ['30'], { runId: uniqueRunId('ps-table') });
  const ps = createPsTable();
  const proc = createProcfsTable();
  const fromPs = ps.stat(tree.pid);
  const fromProc = proc.stat(tree.pid);
  expect(fromPs).toMatchObject({
    pid: tree.pid,
    ppid: fromProc?.ppid,
    pgid: fromProc?.pgid,
    state: 'S',
  });
  expect(Math.abs((fromPs?.startTicks ?? 0) - Date.now() / 1000)).toBeLessThan(60);
  expect(ps.list().map((row) => row.pid)).toContain(tree.pid);
  expect(ps.stat(2 ** 22 + 7)).toBeUndefined();
  const values = ps.environValues([tree.pid, process.pid], 'RUNWARDEN_RUN_ID');
  expect(values.get(tree.pid)).toEqual({ value: tree.runId });
  expect(ps.bootId()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
});

test('a supervisor on the ps table verifies, contains and kills the escapee tree', async () => {
  assertFreshBuild();
  const home = createTempHome();
  homes.push(home.remove);
  const host = fileURLToPath(new URL('../fixtures/ps-table-host.mjs', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [host, home.path], {
    env: { ...process.env, RUNWARDEN_PROCESS_TABLE: 'ps' },
    timeout: 30_000,
  });
  const result = JSON.parse(stdout) as {
    runId: string;
    identity: { startTicks: number };
    before: number;
    after: number;
    exit: { reason: string; forced: boolean };
  };
  expect(result.before).toBe(3);
  expect(result.after).toBe(0);
  expect(result.exit).toMatchObject({ reason: 'cancelled', forced: true });
  // Identities recorded there are in seconds since the epoch, as ps reports them.
  expect(Math.abs(result.identity.startTicks - Date.now() / 1000)).toBeLessThan(120);
  expect(liveMarked(result.runId)).toEqual([]);
});
