// A default SQLite store that cannot be used at boot (read-only, locked by another
// connection, corrupt): createSupervisor rejects with a StoreError saying why, and the
// orphan a previous supervisor recorded is not signalled. Once the fault is gone, the next
// boot ends that orphan (the control: it was a real one, its record intact).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { createSupervisor, StoreError, type ProcessIdentity } from '../../src/index.js';
import { checkIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import {
  expectNeverSignalled,
  recorderSpec,
  waitRecorderReady,
} from '../support/process-checks.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Orphaned {
  readonly home: string;
  readonly db: string;
  readonly runId: string;
  readonly identity: ProcessIdentity;
  /** What the orphan, a signal recorder, writes every signal it gets to. */
  readonly signals: string;
}

/** A home whose store records a live orphan (a supervisor left it running). */
async function homeWithOrphan(): Promise<Orphaned> {
  const temp = createTempHome();
  cleanups.push(temp.remove);
  const signals = join(temp.path, 'orphan-signals');
  const first = await createSupervisor({ home: temp.path });
  const run = await first.spawn({ ...recorderSpec(signals), killGraceMs: 100 });
  const ready = await waitRecorderReady(signals);
  await first.shutdown({ runs: 'leave' });
  const identity = run.info().identity;
  if (identity === null) throw new Error('no identity recorded');
  // A failed test must not leave the recorder (it never ends by itself) behind.
  cleanups.push(async () => {
    signalVerified(identity, 'SIGKILL');
    await waitUntil(() => checkIdentity(identity) !== 'alive', 10_000, 'the orphan to end');
  });
  expect(ready).toEqual(identity);
  const db = join(temp.path, 'runwarden.sqlite');
  return { home: temp.path, db, runId: run.id, identity, signals };
}

/** Boot fails with a StoreError matching `message`; the orphan was not touched. */
async function expectBootRefused(orphan: Orphaned, message: RegExp): Promise<void> {
  const boot = createSupervisor({ home: orphan.home });
  await expect(boot).rejects.toBeInstanceOf(StoreError);
  await expect(boot).rejects.toThrow(message);
  await expectNeverSignalled(orphan.identity, orphan.signals);
}

/** With the fault gone, a boot ends the orphan. */
async function expectBootKills(orphan: Orphaned): Promise<void> {
  const sup = await createSupervisor({ home: orphan.home });
  expect(sup.lastReconcile?.killed).toEqual([orphan.runId]);
  await sup.shutdown();
  await waitUntil(() => checkIdentity(orphan.identity) !== 'alive', 5000, 'the orphan to end');
}

test('a read-only (immutable) database file: a clear StoreError, nothing signalled', async () => {
  const orphan = await homeWithOrphan();
  // Root may write any file whatever its mode; the immutable attribute stops even root.
  execFileSync('chattr', ['+i', orphan.db]);
  try {
    await expectBootRefused(orphan, /is read-only/);
  } finally {
    execFileSync('chattr', ['-i', orphan.db]);
  }
  await expectBootKills(orphan);
});

test('a database another connection holds an exclusive lock on: a clear StoreError, nothing signalled', async () => {
  const orphan = await homeWithOrphan();
  const sqlite3 = createRequire(import.meta.url).resolve('sqlite3');
  const locker = spawn(
    process.execPath,
    [
      '-e',
      `const db = new (require(process.argv[1]).Database)(process.argv[2]);
       db.exec("PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; DELETE FROM keyv WHERE key = '-';",
         (error) => console.log(error ? error.message : 'locked'));
       process.stdin.on('end', () => process.exit(0)).resume();`,
      sqlite3,
      orphan.db,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => locker.once('exit', resolve));
  cleanups.push(async () => {
    locker.stdin.end();
    await exited;
  });
  const said = await new Promise<string>((resolve) =>
    locker.stdout.once('data', (chunk: Buffer) => {
      resolve(chunk.toString().trim());
    }),
  );
  expect(said).toBe('locked');
  // SQLite waits out its busy timeout (5 s) before it gives up.
  await expectBootRefused(orphan, /database is locked/);
  locker.stdin.end();
  await exited;
  await expectBootKills(orphan);
}, 60_000);

test('a corrupt database file (not a database, or damaged pages): a clear StoreError, nothing signalled', async () => {
  const orphan = await homeWithOrphan();
  const intact = `${orphan.db}.intact`;
  copyFileSync(orphan.db, intact);
  writeFileSync(orphan.db, 'this is not a database\n'.repeat(200));
  await expectBootRefused(orphan, /file is not a database/);
  // The header survives, the pages after it do not.
  const bytes = readFileSync(intact);
  for (let i = 100; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  writeFileSync(orphan.db, bytes);
  await expectBootRefused(orphan, /malformed/);
  copyFileSync(intact, orphan.db);
  await expectBootKills(orphan);
});
