// Records that point at another user's process (one started as nobody). This supervisor
// runs as root, so the kernel would let it signal anything: only identity checks stand
// between a stale or foreign record and that process. It must never be signalled.
import { afterEach, expect, test } from 'vitest';
import { checkIdentity, readIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { childrenOf } from '../support/proc-info.js';
import { editRecord } from '../support/record-editor.js';
import { destroyAllSpawned, spawnProcess, spawnTree } from '../support/spawn-tree.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const create = useSupervisors();
const removers: Array<() => void> = [];
afterEach(async () => {
  await destroyAllSpawned();
  for (const remove of removers.splice(0)) remove();
});

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
  const other = spawnProcess('sleep', ['300'], { asNobody: true });
  const { home, runId } = await homeWithDeadRun();
  await editRecord(home, runId, (record) => {
    const context = (record.snapshot as { context: Record<string, unknown> }).context;
    context.pid = other.pid;
    context.identity = { ...other.root, startTicks: other.root.startTicks + 1 };
  });

  const sup = await create({ home });
  expect(sup.lastReconcile?.lost).toEqual([runId]);
  expect(sup.get(runId)?.exit?.reason).toBe('lost');
  await sup.shutdown();
  expect(checkIdentity(other.root)).toBe('alive');
});

test("an identity of another host whose pid and start time match another user's process here: uncertain, never signalled, not even its children at shutdown", async () => {
  const other = spawnTree('sleep 301 & wait', { asNobody: true, runId: null });
  const child = await waitUntil(() => childrenOf(other.pid)[0], 5000, 'the sleep under bash');
  const childIdentity = readIdentity(child.pid);
  if (childIdentity === undefined) throw new Error('the child is gone');
  const { home, runId } = await homeWithDeadRun();
  await editRecord(home, runId, (record) => {
    const context = (record.snapshot as { context: Record<string, unknown> }).context;
    context.pid = other.pid;
    context.identity = { ...other.root, hostname: 'another-host' };
  });

  const sup = await create({ home });
  expect(sup.lastReconcile?.uncertain).toEqual([
    { runId, pid: other.pid, reason: 'identity unreadable' },
  ]);
  // Shutdown cancels the uncertain orphan: it re-verifies, and finds nothing it may signal.
  await sup.shutdown();
  expect(checkIdentity(other.root)).toBe('alive');
  expect(checkIdentity(childIdentity)).toBe('alive');
});
