// Issue 15, defect 6, three ways the store's lifecycle lost work:
// (a) retention deletes are finished before shutdown() resolves (a caller may close its
//     store then; the default SQLite store is closed by shutdown itself);
// (b) an adoption that fails during boot is never an unhandled rejection, and boot says so;
// (c) release() on a `leave` shutdown writes a last record: output offsets that moved less
//     than a second before are in it.
// Real processes, a real SQLite store (handed in as the supervisor's Keyv where the test
// must hold or fail operations), a real run host.
import { setImmediate as turn } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { createSupervisor, RunwardenError } from '../../../src/index.js';
import { checkIdentity } from '../../../src/os/process-identity.js';
import { signalVerified } from '../../../src/os/signal-verified.js';
import { liveMarked } from '../../support/process-checks.js';
import { withRecords } from '../../support/record-editor.js';
import { createTempHome } from '../../support/temp-home.js';
import { waitUntil } from '../../support/wait-for.js';
import {
  openFaultyStore,
  storedRun,
  storedRuns,
  sweepHome,
  trackRunIds,
  uniqueName,
} from './defect-support.js';

// A slow store: run-record deletes are held until this long after shutdown() was called.
const SLOW_DELETE_MS = 3000;

test('(a) retention deletes issued before shutdown() are finished when it resolves', async () => {
  const home = createTempHome();
  const name = uniqueName('defect-6a');
  const ids = new Set<string>();
  const store = await openFaultyStore(home.path);
  const retention = { maxFinishedRecords: 2 };
  const sup = await createSupervisor({ home: home.path, name, store: store.keyv, retention });
  trackRunIds(sup, ids);
  let release: () => void = () => undefined;
  const slow = new Promise<void>((resolve) => (release = resolve));
  let closed = false;
  let unfinishedDeletes = 0;
  const isRunKey = (key: string) => key.startsWith(`${name}/run/`);
  store.beforeDelete = async (key) => {
    if (!isRunKey(key)) return;
    unfinishedDeletes++;
    await slow;
    if (closed) throw new Error('the store was closed');
  };
  store.afterDelete = (key) => {
    if (isRunKey(key)) unfinishedDeletes--;
  };
  try {
    // Six runs finish right before shutdown: four final records are beyond retention.
    const runs = await Promise.all(Array.from({ length: 6 }, () => sup.spawn({ command: 'true' })));
    for (const run of runs) expect(await run.exited).toMatchObject({ reason: 'exit' });
    const timer = setTimeout(release, SLOW_DELETE_MS);
    await sup.shutdown();
    const unfinished = unfinishedDeletes;
    // The caller closes its store once the supervisor is done with it.
    closed = true;
    clearTimeout(timer);
    release();
    expect.soft(unfinished, 'record deletes unfinished when shutdown() resolved').toBe(0);
    await waitUntil(() => store.inFlight === 0, 10_000, 'late operations to fail');
    await store.close();

    const finals = [...(await storedRuns(home.path, name)).values()].filter((r) => r.final);
    expect.soft(finals.length, 'final records left after shutdown').toBe(2);
    const fresh = await createSupervisor({ home: home.path, name, retention });
    try {
      expect.soft(fresh.lastReconcile?.expired, 'records the next boot had to expire').toBe(0);
      expect.soft(fresh.list()).toHaveLength(2);
    } finally {
      await fresh.shutdown();
    }
  } finally {
    release();
    await sup.shutdown();
    await store.close();
    await sweepHome(home.path, name, ids);
    home.remove();
  }
}, 60_000);

/** Removes `children` from a stored snapshot: it still validates, but XState cannot restore it. */
async function makeUnrestorable(home: string, name: string, runId: string): Promise<void> {
  await withRecords(
    home,
    async (store) => {
      const record = structuredClone((await store.get(store.runKey(runId))) as object);
      delete (record as { snapshot: { children?: unknown } }).snapshot.children;
      await store.set(store.runKey(runId), record, 'edit a record');
    },
    name,
  );
}

test('(b) an adoption that fails during boot is no unhandled rejection, and boot reports it', async () => {
  const home = createTempHome();
  const name = uniqueName('defect-6b');
  const ids = new Set<string>();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  try {
    const first = await createSupervisor({ home: home.path, name });
    trackRunIds(first, ids);
    // A: a live record whose process is gone and whose snapshot cannot be restored, so its
    // adoption fails, and moving it aside fails too (below). B, stored after it: a durable
    // run, which boot asks its run host about (I/O) once A's adoption is under way, so A's
    // failure lands while boot is still busy with B.
    const a = await first.spawn({ command: 'sleep', args: ['60'] });
    await first.spawn({ durable: true, command: 'sleep', args: ['60'] });
    const aIdentity = a.info().identity;
    if (aIdentity === null) throw new Error('run A has no identity');
    await first.shutdown({ runs: 'leave' });
    signalVerified(aIdentity, 'SIGKILL');
    await waitUntil(() => liveMarked(a.id).length === 0, 10_000, 'run A to end');
    await makeUnrestorable(home.path, name, a.id);

    // Moving A aside fails: the store cannot read its quarantine key.
    const store = await openFaultyStore(home.path);
    store.beforeRead = (key) => {
      if (key.startsWith(`${name}/quarantine/`)) throw new Error('store read failed');
    };
    process.on('unhandledRejection', onUnhandled);
    const booted = await createSupervisor({ home: home.path, name, store: store.keyv }).then(
      (sup) => ({ ok: true as const, sup }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    await turn();
    process.off('unhandledRejection', onUnhandled);
    expect.soft(unhandled, 'unhandled rejections during boot').toEqual([]);
    if (booted.ok) {
      const report = JSON.stringify(booted.sup.lastReconcile);
      expect.soft(report, 'the boot report names run A').toContain(a.id);
      await booted.sup.shutdown();
    } else {
      expect.soft(booted.error, 'the failed boot').toBeInstanceOf(RunwardenError);
      expect.soft((booted.error as Error).message).toContain(a.id);
    }
    await store.close();
  } finally {
    process.off('unhandledRejection', onUnhandled);
    await sweepHome(home.path, name, ids);
    home.remove();
  }
}, 60_000);

test('(c) a leave shutdown writes the output offsets that moved in its last second', async () => {
  const home = createTempHome();
  const ids = new Set<string>();
  const sup = await createSupervisor({ home: home.path, onOrphan: 'kill' });
  trackRunIds(sup, ids);
  try {
    const run = await sup.spawn({
      command: 'sh',
      args: ['-c', 'read line; echo "got:$line"; exec sleep 60'],
      onOrphan: 'kill',
    });
    // Right after the answer arrived (in the same turn of the event loop, so no timer of the
    // supervisor ran in between), the supervisor leaves.
    let text = '';
    const left: { at: number | null; shutdown: Promise<void> | null } = {
      at: null,
      shutdown: null,
    };
    const leaving = new Promise<void>((resolve) => {
      run.onOutput((chunk) => {
        text += chunk.toString();
        if (left.shutdown !== null || !text.includes('got:go\n')) return;
        left.shutdown = Promise.resolve().then(async () => {
          left.at = run.info().outputBytes;
          await sup.shutdown({ runs: 'leave' });
        });
        resolve();
      });
    });
    run.write('go\n');
    await leaving;
    await left.shutdown;
    expect(left.at).toBe('got:go\n'.length);
    const identity = run.info().identity;

    const record = await storedRun(home.path, 'default', run.id);
    expect
      .soft(record?.snapshot.context.outputBytes, 'outputBytes in the last record')
      .toBe(left.at);

    const next = await createSupervisor({ home: home.path, onOrphan: 'kill' });
    expect(next.lastReconcile?.killed).toEqual([run.id]);
    await next.shutdown();
    if (identity !== null) expect(checkIdentity(identity)).not.toBe('alive');
    expect(liveMarked(run.id)).toEqual([]);
  } finally {
    await sup.shutdown();
    await sweepHome(home.path, 'default', ids);
    home.remove();
  }
}, 60_000);
