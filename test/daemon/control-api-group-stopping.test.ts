// A spawn into a group that is stopping, over the built daemon's control API and its CLI:
// refused with 409 E_GROUP_UNAVAILABLE (the library's RunStateError), into the group itself
// or into a new group below it, and nothing is started. The group's only run ignores SIGTERM
// until the test releases it, so the group stays in `stopping` for as long as the test looks.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import type { GroupInfo, RunInfo } from '../../src/index.js';
import { runCli, startDaemon, stopDaemon } from '../support/cli.js';
import { liveMarked } from '../support/process-checks.js';
import { callJson } from '../support/raw-request.js';
import { waitUntil } from '../support/wait-for.js';
import { useBuiltCli } from '../support/built-cli.js';

const { cleanups, tempHome } = useBuiltCli('runwarden-group-stopping-');

test('a spawn into a stopping group is refused with 409 E_GROUP_UNAVAILABLE; nothing starts', async () => {
  const home = tempHome();
  const socket = join(home, 'default.sock');
  const { daemon } = await startDaemon(home);
  const release = join(home, 'release');
  cleanups.push(async () => {
    // Whatever happened, the slow run may end now.
    writeFileSync(release, '');
    expect(await stopDaemon(daemon)).toBe(0);
  });
  const ready = join(home, 'ready');
  // Once its trap is set, it says so; on SIGTERM it waits for the release file, then exits.
  const script = [
    `trap 'while [ ! -f ${release} ]; do sleep 0.05; done; exit 0' TERM`,
    `touch ${ready}`,
    'while :; do sleep 0.05; done',
  ].join('; ');
  const answer = await callJson(socket, 'POST', '/v1/runs', {
    // The kill grace outlasts the test: only the release file ends the run.
    spec: { command: 'sh', args: ['-c', script], killGraceMs: 600_000, idleAfterMs: 600_000 },
    group: 'slow',
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  const slow = (answer.body as { run: RunInfo }).run;
  await waitUntil(() => existsSync(ready), 15_000, 'the trap to be set');

  const cancelling = callJson(socket, 'POST', '/v1/groups/slow/cancel');
  await waitUntil(
    async () => {
      const { groups } = (await callJson(socket, 'GET', '/v1/groups')).body as {
        groups: GroupInfo[];
      };
      return groups[0]?.state === 'stopping';
    },
    15_000,
    'the group to be stopping',
  );
  expect(
    await callJson(socket, 'POST', '/v1/runs', { spec: { command: 'true' }, group: 'slow' }),
  ).toEqual({
    status: 409,
    body: {
      error: {
        code: 'E_GROUP_UNAVAILABLE',
        message: 'group slow takes no runs: it does not exist, or it is stopping or failed',
      },
    },
  });
  expect(
    await callJson(socket, 'POST', '/v1/runs', { spec: { command: 'true' }, group: 'slow/sub' }),
  ).toEqual({
    status: 409,
    body: {
      error: {
        code: 'E_GROUP_UNAVAILABLE',
        message: 'group slow/sub was not created: its parent group is stopping or gone',
      },
    },
  });
  const cli = await runCli(home, ['run', '--group', 'slow', '--', 'true']);
  expect(cli.code).toBe(1);
  expect(cli.stderr).toBe(
    'runwarden: group slow takes no runs: it does not exist, or it is stopping or failed (E_GROUP_UNAVAILABLE)\n',
  );
  // Still stopping: nothing above ended it early.
  const tree = await runCli(home, ['ls', '--tree']);
  expect(tree.stdout).toContain('└─ group slow (one-for-one, stopping, 0 restarts of at most 5');

  writeFileSync(release, '');
  const cancelled = await cancelling;
  expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
  expect(cancelled.body).toMatchObject({ exits: [{ reason: 'cancelled', forced: false }] });
  expect(liveMarked(slow.id)).toEqual([]);
  const { runs } = (await callJson(socket, 'GET', '/v1/runs?all=true')).body as {
    runs: RunInfo[];
  };
  expect(runs.map((run) => run.id)).toEqual([slow.id]);
  expect((await callJson(socket, 'GET', '/v1/groups')).body).toEqual({ groups: [] });
}, 60_000);
