// Issue 15, defect 1: `shutdown({ runs: 'leave' })` while a run's launch is in flight. The
// process that gets started must be recorded (pid and identity, not `spawning`), `spawn()`
// resolves with a released handle or rejects with SupervisorStoppedError, nothing of the
// launch keeps this process busy, and the next supervisor (policy `kill`) finds the process
// through its record and ends it. Real processes, a real SQLite store, a real run host.
import { expect, test } from 'vitest';
import {
  createSupervisor,
  SupervisorStoppedError,
  type RunHandle,
  type RunSpec,
} from '../../../src/index.js';
import { checkIdentity, readIdentity } from '../../../src/os/process-identity.js';
import { liveMarked } from '../../support/process-checks.js';
import { liveRunHosts, waitRunHostGone } from '../../support/run-hosts.js';
import { createTempHome } from '../../support/temp-home.js';
import { waitUntil } from '../../support/wait-for.js';
import {
  openFaultyStore,
  recordState,
  storedRun,
  sweepHome,
  trackRunIds,
  uniqueName,
} from './defect-support.js';

type Outcome = { ok: true; run: RunHandle } | { ok: false; error: unknown };

const settle = (spawning: Promise<RunHandle>): Promise<Outcome> =>
  spawning.then(
    (run) => ({ ok: true, run }),
    (error: unknown) => ({ ok: false, error }),
  );

// Handles that would keep this process alive for a run it no longer supervises.
const HANDLE_KINDS = ['PipeWrap', 'ProcessWrap', 'TTYWrap', 'PipeConnectWrap', 'TCPWrap'];

function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(HANDLE_KINDS.map((k) => [k, 0]));
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind in counts) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** Waits (bounded) until no more handles of those kinds are active than `baseline` had. */
async function expectNoHandlesBeyond(baseline: Record<string, number>): Promise<void> {
  const extra = () => HANDLE_KINDS.filter((k) => (handleCounts()[k] ?? 0) > (baseline[k] ?? 0));
  await waitUntil(() => extra().length === 0, 5000, 'the launch to hold no handle').catch(
    () => undefined,
  );
  expect
    .soft(handleCounts(), 'handles still active after shutdown({ runs: "leave" })')
    .toEqual(baseline);
}

/**
 * What must hold once the leave shutdown resolved: the run either has no process at all
 * (the shutdown came before its launch), or its record names the process that was started.
 * Then a new supervisor with policy `kill` ends it. Returns nothing; soft failures name each gap.
 */
async function expectLaunchAccountedFor(
  home: string,
  name: string,
  runId: string,
  outcome: Outcome,
): Promise<void> {
  const marked = liveMarked(runId);
  if (outcome.ok) expect.soft((await outcome.run.exited).reason).toBe('released');
  else expect.soft(outcome.error).toBeInstanceOf(SupervisorStoppedError);
  const root = marked.length === 0 ? undefined : readIdentity(Math.min(...marked));
  if (root !== undefined) {
    const record = await storedRun(home, name, runId);
    expect.soft(record?.snapshot.value, 'state of the record after leave').not.toBe('spawning');
    expect.soft(record?.snapshot.context.pid, 'pid in the record').toBe(root.pid);
    expect.soft(record?.snapshot.context.identity, 'identity in the record').toMatchObject({
      pid: root.pid,
      startTicks: root.startTicks,
    });
  }
  const next = await createSupervisor({ home, name, onOrphan: 'kill' });
  try {
    if (root !== undefined) expect.soft(next.lastReconcile?.killed).toContain(runId);
  } finally {
    await next.shutdown();
  }
  if (root !== undefined) expect(checkIdentity(root)).not.toBe('alive');
  expect(liveMarked(runId)).toEqual([]);
}

/** When the leave shutdown comes: a moment at which the run's launch is under way. */
type LaunchMoment = 'write-ahead landed' | 'run host starting';

/**
 * Spawns `spec` and calls `shutdown({ runs: 'leave' })` while its launch is under way: on
 * the tick after its write-ahead record landed (the launch follows that record at once), or
 * as soon as the run host the launch starts exists (it serves only once Node has loaded it).
 * Then checks everything the defect broke.
 */
async function leaveDuringLaunch(name: string, spec: RunSpec, moment: LaunchMoment): Promise<void> {
  const home = createTempHome();
  const ids = new Set<string>();
  const store = await openFaultyStore(home.path);
  const baseline = handleCounts();
  const sup = await createSupervisor({ home: home.path, name, store: store.keyv });
  trackRunIds(sup, ids);
  const left: { shutdown: Promise<void> | null } = { shutdown: null };
  const leave = () => {
    left.shutdown ??= sup.shutdown({ runs: 'leave' });
  };
  store.afterWrite = (_key, value) => {
    if (moment === 'write-ahead landed' && recordState(value) === 'spawning')
      process.nextTick(leave);
  };
  try {
    const spawn = { settled: false };
    const spawning = settle(sup.spawn(spec)).finally(() => (spawn.settled = true));
    if (moment === 'run host starting') {
      await new Promise<void>((resolve) => {
        const check = () => {
          if (spawn.settled || liveRunHosts(home.path, name).length > 0) resolve();
          else setImmediate(check);
        };
        check();
      });
      if (!spawn.settled) leave();
    }
    const outcome = await spawning;
    if (left.shutdown === null) throw new Error(`the launch ended before the ${moment}`);
    await left.shutdown;
    await store.close();
    const [runId] = ids;
    if (runId === undefined) throw new Error('the run was never announced');
    await expectNoHandlesBeyond(baseline);
    await expectLaunchAccountedFor(home.path, name, runId, outcome);
    // Nothing holds a run host any more: one the launch started leaves by itself.
    await waitRunHostGone(home.path, name);
  } finally {
    await sup.shutdown();
    await store.close().catch(() => undefined);
    await sweepHome(home.path, name, ids);
    home.remove();
  }
}

test('leave while a plain run is being launched: its process is recorded, and the next boot ends it', async () => {
  await leaveDuringLaunch(
    uniqueName('defect-1-child'),
    {
      command: 'sleep',
      args: ['60'],
      onOrphan: 'kill',
    },
    'write-ahead landed',
  );
});

test('leave while a durable run is being launched: its process is recorded, and the next boot ends it', async () => {
  await leaveDuringLaunch(
    uniqueName('defect-1-durable'),
    {
      durable: true,
      command: 'sleep',
      args: ['60'],
      onOrphan: 'kill',
    },
    'run host starting',
  );
}, 60_000);
