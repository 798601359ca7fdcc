// Records that point at another user's process (one started as nobody). This supervisor
// runs as root, so the kernel would let it signal anything: only identity checks stand
// between a stale or foreign record and that process. It must never be signalled.
import { afterEach, expect } from 'vitest';
import { checkIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { startBystander, type Bystander } from '../support/process-checks.js';
import { editRecord } from '../support/record-editor.js';
import { testNeeding } from '../support/requirements.js';
import { nobodyUser } from '../support/run-as-nobody.js';
import { destroyAllSpawned } from '../support/spawn-tree.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

// Every test here starts a process as user nobody: root and that user are needed.
const test = testNeeding(nobodyUser());
const create = useSupervisors();
const removers: Array<() => unknown> = [];
afterEach(async () => {
  for (const remove of removers.splice(0)) await remove();
  await destroyAllSpawned();
});

/** A signal recorder running as nobody: another user's process. */
async function othersProcess(withChild = false): Promise<Bystander> {
  const other = await startBystander({ asNobody: true, withChild });
  removers.push(() => other.stop());
  return other;
}

/** A home with the record of a run whose process died while no supervisor watched. */
async function homeWithDeadRun(): Promise<{ home: string; runId: string }> {
  const temp = createTempHome();
  removers.push(temp.remove);
  const first = await create({ home: temp.path });
  const run = await first.spawn({ command: 'sleep', args: ['30'], killGraceMs: 100 });
  await first.shutdown({ runs: 'leave' });
  const identity = run.info().identity;
  if (identity === null) throw new Error('no identity recorded');
  signalVerified(identity, 'SIGKILL');
  await waitUntil(() => checkIdentity(identity) !== 'alive', 5000, 'the run to die');
  return { home: temp.path, runId: run.id };
}

test("a recorded pid now naming another user's process (pid reuse): lost, never signalled", async () => {
  const other = await othersProcess();
  const { home, runId } = await homeWithDeadRun();
  await editRecord(home, runId, (record) => {
    const context = (record.snapshot as { context: Record<string, unknown> }).context;
    context.pid = other.identity.pid;
    context.identity = { ...other.identity, startTicks: other.identity.startTicks + 1 };
  });

  const sup = await create({ home });
  expect(sup.lastReconcile?.lost).toEqual([runId]);
  expect(sup.get(runId)?.exit?.reason).toBe('lost');
  await sup.shutdown();
  await other.expectNeverSignalled();
});

test("an identity of another host whose pid and start time match another user's process here: uncertain, never signalled, not even its children at shutdown", async () => {
  const other = await othersProcess(true);
  const { home, runId } = await homeWithDeadRun();
  await editRecord(home, runId, (record) => {
    const context = (record.snapshot as { context: Record<string, unknown> }).context;
    context.pid = other.identity.pid;
    context.identity = { ...other.identity, hostname: 'another-host' };
  });

  const sup = await create({ home });
  expect(sup.lastReconcile?.uncertain).toEqual([
    { runId, pid: other.identity.pid, reason: 'identity unreadable' },
  ]);
  // Shutdown cancels the uncertain orphan: it re-verifies, and finds nothing it may signal.
  await sup.shutdown();
  await other.expectNeverSignalled(); // the child too
});
