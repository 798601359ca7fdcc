// The supervision tree lives in XState's own actor system: one root (the supervisor), run
// actors as its children, found by `systemId`, seen by an inspector as one system.
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { expect, test } from 'vitest';
import { useSupervisors } from '../support/supervisor-harness.js';

const supervisors = useSupervisors();

test('an inspector sees one system: one rootId, and every run actor a child of the supervisor', async () => {
  const events: InspectionEvent[] = [];
  const sup = await supervisors({ inspect: (event) => events.push(event) });
  const a = await sup.spawn({ command: 'sleep', args: ['30'] });
  const b = await sup.spawn({ command: 'sh', args: ['-c', 'echo b'] });
  await b.exited;

  expect(new Set(events.map((event) => event.rootId)).size).toBe(1);
  const created = events
    .filter((event) => event.type === '@xstate.actor')
    .map((event) => event.actorRef as AnyActorRef);
  const root = created[0];
  expect(root?.id).toBe(events[0]?.rootId);
  for (const run of [a, b]) {
    const actor = created.find((ref) => ref.id === run.id);
    expect(actor, `run actor ${run.id}`).toBeDefined();
    // The parent link is what an inspector draws the tree from.
    expect((actor as unknown as { _parent?: unknown })._parent).toBe(root);
  }

  // The tree as data: the live run is the supervisor's only child now.
  expect(sup.tree()).toMatchObject({
    kind: 'supervisor',
    name: sup.name,
    state: 'active',
    children: [{ kind: 'run', id: a.id, state: 'running', command: 'sleep' }],
  });
  await a.cancel();
  expect(sup.tree().children).toEqual([]);
});

test('runs are addressable system-wide by their run id', async () => {
  const events: InspectionEvent[] = [];
  const sup = await supervisors({ inspect: (event) => events.push(event) });
  const run = await sup.spawn({ command: 'sleep', args: ['30'] });
  const root = events.find((event) => event.type === '@xstate.actor')?.actorRef as
    AnyActorRef | undefined;
  const found = root?.system.get(run.id) as AnyActorRef | undefined;
  expect(found?.getSnapshot()).toMatchObject({ value: 'running', context: { runId: run.id } });
  await run.cancel();
  expect(root?.system.get(run.id)).toBeUndefined();
});
