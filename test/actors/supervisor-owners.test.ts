// reconcileOrphans: runs whose owner the host no longer knows are cancelled (owner-gone).
import { expect, test } from 'vitest';
import { useSupervisors } from '../support/supervisor-harness.js';

const create = useSupervisors();

test('cancels runs of unknown owners, keeps known ones, never touches unowned runs', async () => {
  const sup = await create();
  const alive = await sup.spawn({ command: 'sleep', args: ['30'], sessionId: 'session-alive' });
  const gone = await sup.spawn({
    command: 'sleep',
    args: ['30'],
    ownerId: 'agent-gone',
    sessionId: 'session-alive',
  });
  const unowned = await sup.spawn({ command: 'sleep', args: ['30'] });
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
});

test('isOwned must be a function', async () => {
  const sup = await create();
  await expect(sup.reconcileOrphans({ isOwned: 'yes' as never })).rejects.toMatchObject({
    option: 'isOwned',
  });
});
