// What release 0.1.0 (commit 0a4963b) left in its store, row for row, loaded by this code's
// real load path: written as raw rows into a real SQLite file of 0.1.0's table layout, then
// migrated, validated and restored. Restoring never spawns; nothing is quarantined but the
// two entries 0.1.0 itself quarantined.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, expect, test, vi } from 'vitest';
import { createActor } from 'xstate';
import { loadRecords } from '../../../src/reconcile/load-records.js';
import { systemClock } from '../../../src/support/clock.js';
import { createSupervisor, reconcileStore, SupervisorBusyError } from '../../../src/index.js';
import { runMachine } from '../../../src/machines/run-machine.js';
import { currentBootId } from '../../../src/os/process-identity.js';
import { thisHostname } from '../../../src/os/this-host.js';
import { openStore } from '../../../src/persistence/open-store.js';
import { RecordStore } from '../../../src/persistence/record-store.js';
import { liveMarked } from '../../support/process-checks.js';
import { createTempHome } from '../../support/temp-home.js';
import { startLeaseHolder } from '../../support/lease-holder.js';

const DIR = new URL('../../fixtures/releases/0.1.0/', import.meta.url);
const rows = JSON.parse(readFileSync(new URL('records.json', DIR), 'utf8')) as Array<{
  key: string;
  value: string;
}>;
const manifest = JSON.parse(readFileSync(new URL('manifest.json', DIR), 'utf8')) as {
  supervisorName: string;
  generatedAt: string;
  store: { tables: Array<{ name: string; sql: string }> };
  records: Array<{ key: string; state: string }>;
};
const NAME = manifest.supervisorName;
const stateOf = new Map(manifest.records.map((r) => [r.key, r.state]));
const runRows = rows.filter((row) => row.key.includes('/run/'));
const runIds = runRows.map((row) => row.key.slice(row.key.lastIndexOf('/') + 1));
const silent = { debug() {}, info() {}, warn() {}, error() {} } as never;

interface SqliteAdapter {
  query(sql: string, ...params: unknown[]): Promise<Array<Record<string, string>>>;
  set(key: string, value: string): Promise<unknown>;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// A home whose SQLite file holds exactly `stored`, in 0.1.0's table, checked byte for byte.
async function homeWith(stored: ReadonlyArray<{ key: string; value: string }>): Promise<string> {
  const temp = createTempHome('runwarden-release-');
  cleanups.push(temp.remove);
  const opened = await openStore(undefined, temp.path);
  try {
    const adapter = opened.keyv.store as SqliteAdapter;
    // Past Keyv: the adapter stores the text as given, as 0.1.0's Keyv left it.
    for (const row of stored) await adapter.set(row.key, row.value);
    const tables = await adapter.query("SELECT name, sql FROM sqlite_master WHERE type = 'table'");
    expect(tables).toEqual(manifest.store.tables);
    const back = await adapter.query('SELECT key, value FROM keyv ORDER BY key');
    const sorted = [...stored].sort((a, b) => (a.key < b.key ? -1 : 1));
    expect(back).toEqual(sorted.map(({ key, value }) => ({ key, value })));
  } finally {
    await opened.close();
  }
  return temp.path;
}

async function rawRows(home: string): Promise<Array<Record<string, string>>> {
  const opened = await openStore(undefined, home);
  try {
    return await (opened.keyv.store as SqliteAdapter).query(
      'SELECT key, value FROM keyv ORDER BY key',
    );
  } finally {
    await opened.close();
  }
}

function restoredState(snapshot: unknown): { state: string; effects: number } {
  const effects = {
    finalizePredecessors: vi.fn(),
    spawnProcess: vi.fn(),
    terminateTree: vi.fn(),
    releaseProcess: vi.fn(),
  };
  // The input is never read: a restored actor takes its context from the snapshot.
  const actor = createActor(runMachine.provide({ actions: effects }), {
    snapshot: snapshot as never,
    input: {} as never,
  });
  actor.start();
  const { value, context } = actor.getSnapshot();
  actor.stop();
  const calls = Object.values(effects).reduce((sum, fn) => sum + fn.mock.calls.length, 0);
  return {
    state: value === 'done' ? `done:${context.exit?.reason ?? '?'}` : value,
    effects: calls,
  };
}

test('every 0.1.0 row migrates, validates and restores into its recorded state, with no effect', async () => {
  expect(rows).toHaveLength(94);
  const home = await homeWith(rows);
  const opened = await openStore(undefined, home);
  try {
    const store = new RecordStore(opened.keyv, NAME, () => Date.now());
    const loaded = await loadRecords(store, silent, true);
    expect(loaded.quarantined).toEqual([]);
    expect(loaded.newer).toEqual([]);
    expect(loaded.valid.map((record) => record.runId).sort()).toEqual([...runIds].sort());
    for (const record of loaded.valid) {
      const restored = restoredState(record.snapshot);
      expect(restored.state).toBe(stateOf.get(`keyv:${store.runKey(record.runId)}`));
      expect(restored.effects).toBe(0);
    }
    // 0.1.0's quarantine entries had no version: both migrate to v2, written back only once owned.
    expect(loaded.migratedQuarantine.map((entry) => entry.runId).sort()).toEqual([
      'r-fixture-future-schema',
      'r-fixture-torn-write',
    ]);
  } finally {
    await opened.close();
  }
  // The dry run through the public entry point writes nothing: every row as it was.
  const dry = await reconcileStore({ home, name: NAME, dryRun: true });
  expect(dry.quarantined).toEqual([]);
  expect(dry.newer).toEqual([]);
  expect(await rawRows(home)).toEqual(
    [...rows].sort((a, b) => (a.key < b.key ? -1 : 1)).map(({ key, value }) => ({ key, value })),
  );
  for (const id of runIds) expect(liveMarked(id)).toEqual([]);
});

// A pid that surely names no process: a child of ours, exited and reaped.
function deadPid(): number {
  for (;;) {
    const { pid } = spawnSync('true');
    if (!existsSync(`/proc/${pid}`)) return pid;
  }
}

// The rows as this host and boot would have written them, every pid one known dead.
function onThisBoot(): Array<{ key: string; value: string }> {
  const pid = deadPid();
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (typeof node !== 'object' || node === null) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'hostname' && typeof value === 'string') out[key] = thisHostname();
      else if (key === 'bootId' && typeof value === 'string') out[key] = currentBootId();
      else if (['pid', 'pgid', 'sid'].includes(key) && typeof value === 'number') out[key] = pid;
      else out[key] = rewrite(value);
    }
    return out;
  };
  return rows.map(({ key, value }) => ({
    key: key.replace(/\/lease\/[^/]+$/, `/lease/${thisHostname()}`),
    // Keyv's text is JSON: its `:`-escaped strings stay as they are.
    value: JSON.stringify(rewrite(JSON.parse(value))),
  }));
}

test('rewritten to this host and boot, a real boot restores every run and spawns nothing', async () => {
  const stored = onThisBoot();
  const home = await homeWith(stored);
  const generatedAt = Date.parse(manifest.generatedAt);
  // Time stands where the records were written, so retention keeps every finished one.
  const clock = { ...systemClock, now: () => generatedAt + 60_000 };
  const sup = await createSupervisor({ home, name: NAME, clock, logger: silent });
  cleanups.push(() => sup.shutdown());
  const report = sup.lastReconcile;
  expect(report).toMatchObject({ quarantined: [], newer: [], otherHosts: 0, expired: 0 });
  for (const id of runIds) expect(liveMarked(id)).toEqual([]);
  for (const [index, id] of runIds.entries()) {
    const recorded = stateOf.get(runRows[index]?.key ?? '') ?? '';
    const info = sup.get(id);
    // Nothing of them lives (their pids are dead, no host holds them): live ones are lost.
    const expected = recorded.startsWith('done:') ? recorded : 'done:lost';
    expect(`${info?.state ?? '?'}:${info?.exit?.reason ?? '?'}`, `${id} (${recorded})`).toBe(
      expected,
    );
  }
  expect([...(report?.lost ?? [])].sort()).toEqual(
    runIds.filter((_, i) => !stateOf.get(runRows[i]?.key ?? '')?.startsWith('done:')).sort(),
  );
  await sup.shutdown();
  for (const id of runIds) expect(liveMarked(id)).toEqual([]);
  // Owned now: the quarantine entries were written back at v2, nothing else in them changed.
  const after = await rawRows(home);
  const quarantined = after.filter((row) => row.key?.includes('/quarantine/') === true);
  expect(quarantined).toHaveLength(2);
  for (const row of quarantined) {
    const before = stored.find((r) => r.key === row.key)?.value ?? '';
    const { value } = JSON.parse(row.value ?? '') as { value: Record<string, unknown> };
    expect(value).toEqual({
      ...(JSON.parse(before) as { value: Record<string, unknown> }).value,
      schemaVersion: 2,
    });
  }
  // Every run key is still there; the lease was released at shutdown.
  expect(after.filter((row) => row.key?.includes('/run/') === true)).toHaveLength(runIds.length);
  expect(after.filter((row) => row.key?.includes('/lease/') === true)).toEqual([]);
});

test("0.1.0's lease (no version) held by a live process is read as its holder's: boot refuses", async () => {
  const holder = await startLeaseHolder(cleanups);
  const identity = holder.identity;
  const row = rows.find((r) => r.key.includes('/lease/'));
  if (row === undefined) throw new Error('the fixtures hold no lease');
  const lease = JSON.parse(row.value) as { value: Record<string, unknown> };
  expect(lease.value).not.toHaveProperty('schemaVersion');
  const home = await homeWith([
    {
      key: row.key.replace(/\/lease\/[^/]+$/, `/lease/${thisHostname()}`),
      value: JSON.stringify({ ...lease, value: { ...lease.value, identity } }),
    },
  ]);
  await expect(createSupervisor({ home, name: NAME, logger: silent })).rejects.toBeInstanceOf(
    SupervisorBusyError,
  );
});
