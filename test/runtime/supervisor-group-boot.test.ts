// Groups across supervisors: records rebuilt at boot, nested escalation, and a group whose
// runs were waiting for it when its supervisor died. Real processes and a real SQLite store.
import { afterEach, expect, test } from 'vitest';
import { createSupervisor, type RunHandle, type Supervisor } from '../../src/index.js';
import { sessionLog } from '../support/group-fixtures.js';
import { liveMarked } from '../support/process-checks.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempHome() {
  const home = createTempHome('runwarden-group-boot-');
  cleanups.push(home.remove);
  return home.path;
}

async function boot(home: string): Promise<Supervisor> {
  const sup = await createSupervisor({ home, onOrphan: 'reattach' });
  cleanups.push(() => sup.shutdown());
  return sup;
}

test('a left group is rebuilt at the next boot, with its options, history and runs', async () => {
  const home = tempHome();
  const log = sessionLog(home);
  const first = await boot(home);
  const group = await first.group('agent-1', { strategy: 'rest-for-one', maxRestarts: 3 });
  const mcp = await group.group('mcp', { strategy: 'one-for-all' });
  // `always`: after the boot the agent is reattached, and a reattached process's exit code
  // cannot be known (`on-failure` would not restart it).
  const agent = await group.spawn(log.member('agent', { restart: 'always' }));
  const helper = await mcp.spawn(log.member('helper'));
  log.fail('agent');
  await waitUntil(() => first.get(agent.id)?.generation === 2, 10_000, 'the agent restarted');
  await waitUntil(() => first.get(agent.id)?.state === 'running', 10_000, 'the agent running');
  await first.shutdown({ runs: 'leave' });

  const second = await boot(home);
  expect(
    second.groups().map(({ path, strategy, maxRestarts, restarts }) => ({
      path,
      strategy,
      maxRestarts,
      restarts,
    })),
  ).toEqual([
    { path: 'agent-1', strategy: 'rest-for-one', maxRestarts: 3, restarts: 1 },
    { path: 'agent-1/mcp', strategy: 'one-for-all', maxRestarts: 5, restarts: 0 },
  ]);
  expect(second.get(agent.id)).toMatchObject({ state: 'running', group: 'agent-1', generation: 2 });
  expect(second.get(helper.id)).toMatchObject({ state: 'running', group: 'agent-1/mcp' });
  // Rebuilt, the group supervises as before: a failure restarts the rest (rest-for-one).
  const rebuilt = second.findGroup('agent-1');
  expect(rebuilt?.info()?.runs).toEqual([agent.id]);
  log.fail('agent');
  await waitUntil(() => second.get(agent.id)?.generation === 3, 10_000, 'restarted after the boot');
  expect(rebuilt?.info()?.restarts).toBe(2);
  // Its restart history survived the boot: both restarts count toward its intensity.
  expect(rebuilt?.info()?.restartedAt).toHaveLength(2);
  const exits = await second.cancelGroup('agent-1');
  expect(exits).toHaveLength(2);
  for (const id of [agent.id, helper.id]) expect(liveMarked(id)).toEqual([]);
});

test('a nested group past its intensity escalates; its one-for-one parent starts it again', async () => {
  const home = tempHome();
  const log = sessionLog(home);
  const sup = await boot(home);
  const parent = await sup.group('session', { strategy: 'one-for-one' });
  const keeper = await parent.spawn(log.member('keeper'));
  const tools = await parent.group('tools', { strategy: 'one-for-all', maxRestarts: 0 });
  const a = await tools.spawn(log.member('tool-a'));
  const b = await tools.spawn(log.member('tool-b'));
  await waitUntil(() => log.lines().length === 3, 10_000, 'all started');
  log.fail('tool-b');
  // tools fails at once (intensity 0): its runs stop (newest first), the parent restarts it.
  await waitUntil(
    () =>
      [a, b].every(
        (run) => sup.get(run.id)?.generation === 2 && sup.get(run.id)?.state === 'running',
      ),
    15_000,
    'the tools group started again',
  );
  expect(log.lines().filter((line) => line.startsWith('stop'))).toEqual(['stop tool-a']);
  expect(parent.info()?.restarts).toBe(1);
  expect(tools.info()?.state).toBe('active');
  expect(sup.get(keeper.id)?.generation).toBe(1);
});

test('runs held for their group when the supervisor died start again at the next boot, once', async () => {
  const home = tempHome();
  const log = sessionLog(home);
  const first = await boot(home);
  const group = await first.group('g', { strategy: 'one-for-all' });
  const slow = await group.spawn(
    log.member('slow', { restartDelayMs: 60_000, maxRestartDelayMs: 60_000 }),
  );
  const other = await group.spawn(log.member('other'));
  log.fail('slow');
  // Both wait (stopped, verified dead) for the failed one's restart time, a minute away.
  await waitUntil(
    () => [slow, other].every((run: RunHandle) => first.get(run.id)?.state === 'held'),
    10_000,
    'both held',
  );
  const due = first.get(slow.id)?.nextStartAt ?? 0;
  await first.shutdown({ runs: 'leave' });
  expect(liveMarked(slow.id)).toEqual([]);
  expect(liveMarked(other.id)).toEqual([]);

  const second = await boot(home);
  expect(second.get(slow.id)).toMatchObject({ state: 'held', group: 'g', generation: 1 });
  expect(second.get(other.id)?.state).toBe('held');
  expect(second.lastReconcile?.restarting.sort()).toEqual([slow.id, other.id].sort());
  expect(due).toBeGreaterThan(Date.now());
  await second.cancelGroup('g');
  expect(log.lines().filter((line) => line.startsWith('start'))).toHaveLength(2);
});
