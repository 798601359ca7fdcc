// A supervisor of an ordinary user (nobody) next to root's processes: the escapee sweep
// cannot read their environments and the kernel refuses its signals. It reports both and
// never touches them, whatever its records say.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createSupervisor, type ReconcileReport, type RunExit } from '../../src/index.js';
import { checkIdentity } from '../../src/os/process-identity.js';
import { assertFreshBuild } from '../support/crash-host.js';
import { startBystander, type Bystander } from '../support/process-checks.js';
import { testNeeding } from '../support/requirements.js';
import {
  createNobodyHome,
  nobodyUser,
  prepareDistForNobody,
  runDistAsNobody,
  type NobodyDist,
} from '../support/run-as-nobody.js';
import { destroyAllSpawned } from '../support/spawn-tree.js';
import { waitUntil } from '../support/wait-for.js';

const test = testNeeding(nobodyUser());
const removers: Array<() => unknown> = [];
afterEach(async () => {
  await destroyAllSpawned();
  for (const remove of removers.splice(0)) await remove();
});

let dist: NobodyDist | undefined;
beforeAll(() => {
  assertFreshBuild();
});
afterAll(() => {
  dist?.remove();
});

/** dist/ as nobody can load it, prepared once for the file. */
function nobodyDist(): NobodyDist {
  dist ??= prepareDistForNobody();
  return dist;
}

/** A signal recorder of root, stopped (and its files removed) after the test. */
async function rootBystander(runId: string | null = null): Promise<Bystander> {
  const bystander = await startBystander({ runId });
  removers.push(() => bystander.stop());
  return bystander;
}

function nobodyHome(): string {
  const home = createNobodyHome();
  removers.push(home.remove);
  return home.path;
}

test("the escapee sweep cannot read root's environment: it reports, and signals nothing", async () => {
  const home = nobodyHome();
  const { runId } = (await runDistAsNobody(
    nobodyDist(),
    `const sup = await rw.createSupervisor({ home: INPUT.home });
     const run = await sup.spawn({ command: 'true' });
     await run.exited;
     await sup.shutdown();
     console.log(JSON.stringify({ runId: run.id }));`,
    { home },
  )) as { runId: string };
  // A process of root carrying the finished run's marker: an escapee nobody cannot see.
  const escapee = await rootBystander(runId);

  const report = (await runDistAsNobody(
    nobodyDist(),
    `const sup = await rw.createSupervisor({ home: INPUT.home });
     const report = sup.lastReconcile;
     await sup.shutdown();
     console.log(JSON.stringify(report));`,
    { home },
  )) as ReconcileReport;
  expect(report.escapeesKilled).toEqual([]);
  expect(report.unreadable).toBeGreaterThan(0);
  await escapee.expectNeverSignalled();

  // Root can read it: the same store, booted by root, ends the escapee (the sweep works).
  const sup = await createSupervisor({ home });
  expect(sup.lastReconcile?.escapeesKilled).toEqual([{ runId, pid: escapee.identity.pid }]);
  await sup.shutdown();
  await waitUntil(() => checkIdentity(escapee.identity) !== 'alive', 5000, 'the escapee to die');
}, 60_000);

test("a record whose verified root is root's process: the kernel refuses, the exit reports it, the process lives", async () => {
  const home = nobodyHome();
  const other = await rootBystander();
  const result = (await runDistAsNobody(
    nobodyDist(),
    `import { readFileSync } from 'node:fs';
     const { openStore } = await import(INPUT.dist + 'persistence/open-store.js');
     const { RecordStore } = await import(INPUT.dist + 'persistence/record-store.js');
     const first = await rw.createSupervisor({ home: INPUT.home });
     const run = await first.spawn({ command: 'sleep', args: ['30'], killGraceMs: 100 });
     await first.shutdown({ runs: 'leave' });
     // Its own process dies; its record is then pointed at root's process, as a tampered or
     // shared store could.
     process.kill(run.pid, 'SIGKILL');
     const gone = () => { try { return readFileSync('/proc/' + run.pid + '/stat', 'latin1').includes(') Z'); } catch { return true; } };
     while (!gone()) await new Promise((resolve) => setTimeout(resolve, 20));
     const opened = await openStore(undefined, INPUT.home);
     const store = new RecordStore(opened.keyv, 'default', () => Date.now());
     const record = await store.get(store.runKey(run.id));
     record.snapshot.context.pid = INPUT.identity.pid;
     record.snapshot.context.identity = INPUT.identity;
     await store.set(store.runKey(run.id), record, 'edit a record');
     await opened.close();
     const sup = await rw.createSupervisor({ home: INPUT.home });
     const report = sup.lastReconcile;
     const exit = sup.get(run.id).exit;
     await sup.shutdown();
     console.log(JSON.stringify({ runId: run.id, report, exit }));`,
    { home, identity: other.identity },
  )) as { runId: string; report: ReconcileReport; exit: RunExit };
  expect(result.report.killed).toEqual([result.runId]);
  expect(result.exit).toMatchObject({
    reason: 'orphan-killed',
    survivors: [other.identity.pid],
    error: { code: 'EPERM' },
  });
  await other.expectNeverSignalled();
}, 60_000);
