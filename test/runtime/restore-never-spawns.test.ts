// Restoring can never spawn, through the real supervisor: a record in every state the run
// machine can be recorded in is adopted by a real boot on a real SQLite store, and no
// effect that could start a process (write-ahead, launch) is ever created, and nothing
// carrying the runs' markers exists.
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { expect, test } from 'vitest';
import type { RunStateName } from '../../src/index.js';
import { RECORDED_RUN_STATES } from '../../src/persistence/run-record-schema.js';
import { liveMarked } from '../support/process-checks.js';
import { withRecords } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';

const supervisors = useSupervisors();

// Every state a record can hold, as the record schema accepts them.
const RECORDED: readonly RunStateName[] = RECORDED_RUN_STATES;

test('a record in every state is adopted by a real boot, and nothing is started', async () => {
  const home = createTempHome();
  try {
    // A real record to copy: a run that ended, so no process of it exists.
    const first = await supervisors({ home: home.path });
    const template = await first.spawn({ command: 'true', scopeKey: 'restore' });
    await template.exited;
    await first.shutdown();
    const ids = RECORDED.map((state) => `restore-${state}`);
    await withRecords(home.path, async (store) => {
      const record = (await store.get(store.runKey(template.id))) as Record<string, unknown>;
      for (const [index, state] of RECORDED.entries()) {
        const copy = structuredClone(record);
        const runId = ids[index] ?? '';
        const snapshot = copy.snapshot as {
          value: string;
          status: string;
          context: Record<string, unknown>;
        };
        snapshot.value = state;
        snapshot.status = state === 'done' || state === 'released' ? 'done' : 'active';
        snapshot.context.runId = runId;
        // A record's cgroup is its own run's leaf: these planted runs never had a process.
        snapshot.context.cgroup = null;
        snapshot.context.descriptor = {
          ...(snapshot.context.descriptor as object),
          replaceExistingScope: true,
        };
        if (state !== 'done') Object.assign(snapshot.context, { exit: null, endReason: null });
        Object.assign(copy, { runId, final: state === 'done' });
        await store.set(store.runKey(runId), copy, `plant a ${state} record`);
      }
    });

    const created: AnyActorRef[] = [];
    const second = await supervisors({
      home: home.path,
      inspect: (event: InspectionEvent) => {
        if (event.type === '@xstate.actor') created.push(event.actorRef as AnyActorRef);
      },
    });
    const report = second.lastReconcile;
    // Every live record was adopted and found with nothing alive: lost, never spawned.
    expect([...(report?.lost ?? [])].sort()).toEqual(
      ids.filter((id) => id !== 'restore-done').sort(),
    );
    expect(report?.quarantined).toEqual([]);
    // An invoked effect's `src` is the name of its logic (the root's is the machine itself).
    const effects = created.map((ref) => (typeof ref.src === 'string' ? ref.src : null));
    expect(effects).not.toContain('writeAhead');
    expect(effects).not.toContain('launch');
    for (const id of ids) {
      expect(liveMarked(id), id).toEqual([]);
      expect(second.get(id)?.state, id).toBe('done');
    }
    // Adopted runs went `created -> orphaned -> done`, never through `recording`.
    const runs = created.filter((ref) => ids.includes(ref.id));
    expect(runs).toHaveLength(ids.length - 1);
    await second.shutdown();
    for (const id of ids) expect(liveMarked(id), id).toEqual([]);
  } finally {
    home.remove();
  }
});
