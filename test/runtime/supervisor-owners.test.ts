// reconcileOrphans: runs whose owner the host no longer knows are cancelled (owner-gone).
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import {
  expectNeverSignalled,
  recorderSpec,
  waitRecorderReady,
} from '../support/process-checks.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';

const create = useSupervisors();

test('cancels runs of unknown owners, keeps known ones, never touches unowned runs', async () => {
  const temp = createTempHome();
  onTestFinished(temp.remove);
  const sup = await create();
  // The runs that must be left alone record every signal they get.
  const recorder = (name: string) => ({ ...recorderSpec(join(temp.path, name)), killGraceMs: 200 });
  const alive = await sup.spawn({ ...recorder('alive'), sessionId: 'session-alive' });
  const gone = await sup.spawn({
    command: 'sleep',
    args: ['30'],
    ownerId: 'agent-gone',
    sessionId: 'session-alive',
  });
  const unowned = await sup.spawn(recorder('unowned'));
  const aliveIdentity = await waitRecorderReady(join(temp.path, 'alive'));
  const unownedIdentity = await waitRecorderReady(join(temp.path, 'unowned'));
  const known = new Set(['session-alive']);
  const seen: string[] = [];
  const isOwned = (info: { ownerId: string | null; id: string }) => {
    seen.push(info.id);
    return info.ownerId !== null && known.has(info.ownerId);
  };

  const dry = await sup.reconcileOrphans({ isOwned, dryRun: true });
  expect(dry.cancelled.map((i) => i.id)).toEqual([gone.id]);
  expect(gone.state).toBe('running');

  const result = await sup.reconcileOrphans({ isOwned });
  expect(result.dryRun).toBe(false);
  expect(result.cancelled.map((i) => i.id)).toEqual([gone.id]);
  expect(result.kept.map((i) => i.id)).toEqual([alive.id]);
  expect(result.unowned.map((i) => i.id)).toEqual([unowned.id]);
  expect((await gone.exited).reason).toBe('owner-gone');
  expect(alive.state).toBe('running');
  expect(unowned.state).toBe('running');
  // The ownerId is what is checked: explicit ownerId first, else the sessionId.
  expect(alive.info().ownerId).toBe('session-alive');
  expect(seen).not.toContain(unowned.id);
  await expectNeverSignalled(aliveIdentity, join(temp.path, 'alive'));
  await expectNeverSignalled(unownedIdentity, join(temp.path, 'unowned'), 0);
});

test('isOwned must be a function', async () => {
  const sup = await create();
  await expect(sup.reconcileOrphans({ isOwned: 'yes' as never })).rejects.toMatchObject({
    option: 'isOwned',
  });
});
