// Cgroup containment and who may touch a cgroup: a supervisor that failed to boot (another
// owns its name) or that hands its runs on (`leave`) never ends a live run's cgroup, and a
// record that names a cgroup outside this supervisor's own area is not trusted with one.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { createSupervisor, SupervisorBusyError } from '../../src/index.js';
import { RUN_RECORD_SCHEMA_VERSION } from '../../src/persistence/run-record.js';
import { validateRunRecord } from '../../src/persistence/run-record-schema.js';
import { cgroupV2Writable } from '../support/machine-requirements.js';
import { liveMarked } from '../support/process-checks.js';
import { editRecord, withRecords } from '../support/record-editor.js';
import { testNeeding } from '../support/requirements.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const test = testNeeding(cgroupV2Writable());
const supervisors = useSupervisors();

test('a supervisor whose boot fails (the name is taken) leaves the live one’s cgroups alone', async () => {
  const home = createTempHome();
  try {
    const owner = await supervisors({ home: home.path });
    const run = await owner.spawn({ command: 'sleep', args: ['30'] });
    const leaf = owner.get(run.id)?.cgroup ?? '';
    expect(existsSync(leaf)).toBe(true);
    await expect(createSupervisor({ home: home.path })).rejects.toBeInstanceOf(SupervisorBusyError);
    expect(owner.get(run.id)?.state).toBe('running');
    expect(existsSync(leaf), 'the live run keeps its cgroup').toBe(true);
    // And the owner goes on placing runs in its area.
    const next = await owner.spawn({ command: 'sleep', args: ['30'] });
    expect(owner.get(next.id)).toMatchObject({ state: 'running', containment: 'cgroup' });
  } finally {
    home.remove();
  }
});

test('a leave hands on runs the supervisor no longer remembers, cgroups and all', async () => {
  const home = createTempHome();
  try {
    // Nothing finished is remembered: a released run leaves memory at once.
    const first = await createSupervisor({ home: home.path, limits: { maxFinishedRuns: 0 } });
    const run = await first.spawn({ command: 'sleep', args: ['30'] });
    const leaf = first.get(run.id)?.cgroup ?? '';
    await first.shutdown({ runs: 'leave' });
    expect(liveMarked(run.id).length).toBe(1);
    expect(existsSync(leaf)).toBe(true);
    const second = await supervisors({ home: home.path, onOrphan: 'reattach' });
    expect(second.lastReconcile?.reattached).toEqual([run.id]);
    expect(second.get(run.id)).toMatchObject({ state: 'running', cgroup: leaf });
  } finally {
    home.remove();
  }
});

test('a record naming a cgroup outside the supervisor’s area is not trusted with it', async () => {
  const home = createTempHome();
  try {
    const first = await createSupervisor({ home: home.path });
    const run = await first.spawn({ command: 'sleep', args: ['30'] });
    const leaf = first.get(run.id)?.cgroup ?? '';
    await first.shutdown({ runs: 'leave' });
    // The leaf's name is right, the area is another supervisor's.
    const foreign = leaf.replace(/runwarden\.default\.[0-9a-f]+/, 'runwarden.other.0123456789ab');
    await editRecord(home.path, run.id, (record) => {
      const context = (record.snapshot as { context: Record<string, unknown> }).context;
      context.cgroup = foreign;
    });
    const second = await supervisors({ home: home.path });
    // Killed by its verified root and marker; its record no longer names a cgroup.
    expect(second.lastReconcile?.killed).toEqual([run.id]);
    await waitUntil(() => liveMarked(run.id).length === 0, 10_000, 'the orphan ended');
    expect(second.get(run.id)?.cgroup).toBeNull();
  } finally {
    home.remove();
  }
});

test('a record whose cgroup is not its own generation’s leaf is refused by validation', async () => {
  const home = createTempHome();
  try {
    const sup = await supervisors({ home: home.path });
    const run = await sup.spawn({ command: 'true' });
    await run.exited;
    const stored = await withRecords(home.path, (store) => store.get(store.runKey(run.id)));
    const withCgroup = (cgroup: string) => {
      const copy = structuredClone(stored) as {
        schemaVersion: number;
        snapshot: { context: Record<string, unknown> };
      };
      // Stored at the lowest version that describes it; validated as loading migrates it.
      copy.schemaVersion = RUN_RECORD_SCHEMA_VERSION;
      copy.snapshot.context.cgroup = cgroup;
      return copy;
    };
    const area = sup.containment.cgroupArea ?? '/sys/fs/cgroup/runwarden.default.0123456789ab';
    expect(validateRunRecord(withCgroup(`${area}/${run.id}.g1`), run.id)).toMatchObject({
      ok: true,
    });
    for (const bad of [
      `${area}/${run.id}.g2`, // another generation's
      `${area}/someone-else.g1`, // another run's
      `/sys/fs/cgroup/system.slice/${run.id}.g1`, // not in a runwarden area
      `${area}/../${run.id}.g1`, // climbing
      `relative/runwarden.x/${run.id}.g1`,
    ])
      expect(validateRunRecord(withCgroup(bad), run.id).ok, bad).toBe(false);
  } finally {
    home.remove();
  }
});
