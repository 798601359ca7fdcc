// Model-based tests of the group machine: a search over the pure machines (the supervisor,
// its groups and their runs, with what the world around them can do) picks paths that
// together take every group transition the world can cause, and each path is replayed
// against a REAL supervisor (real processes, a real store, a manual clock). Every real group
// and run actor must take exactly the model's transitions, in place; the last test fails
// unless every group transition was taken for real, but for those listed below.
import { describe, expect, test } from 'vitest';
import { groupMachine } from '../../src/machines/group-machine.js';
import { listTransitions } from '../../src/machines/list-transitions.js';
import { GroupModelDriver } from '../support/group-model-driver.js';
import { describeEvents, selectGroupPaths } from '../support/group-model-search.js';

/** Group transitions no path of this model takes for real, and why. */
const NOT_REALIZED = new Map([
  // A boot rebuilds groups (restoring): reboots are not modelled here; the pure tests
  // (group-machine.test.ts, restore) take these.
  ['group --ADOPT_RUN--> (self)', 'reboots are not modelled'],
  ['group --xstate.error.actor.*--> (self)', 'run actors do not throw (run-failure tests)'],
  ['created --always[restored]--> restoring', 'reboots are not modelled'],
  ['restoring --ADOPTED[restoredStopping]--> stopping', 'reboots are not modelled'],
  ['restoring --ADOPTED[restoredFailed]--> failing', 'reboots are not modelled'],
  ['restoring --ADOPTED--> active', 'reboots are not modelled'],
  ['restoring --CANCEL--> stopping', 'reboots are not modelled'],
  ['restoring --RECYCLE--> recycling', 'reboots are not modelled; no parent recycles then'],
  ['restoring --RELEASE--> releasing', 'reboots are not modelled'],
  // A child reports held for another cause than its failure only when its group stopped it
  // (it is then the group's current child: a loop takes the report) or as it is restored.
  ['active --CHILD_HELD[notFailure]--> active', 'no stop is asked of a child of an active group'],
  ['restarting --CHILD_HELD--> (self)', 'only the current child is stopped during a restart'],
  // The timer is armed for the restart's own time and fires at or after it.
  ['restarting.waiting --RESUME_DUE--> restarting.waiting', 'the timer never fires early'],
  // A nested group that ends while its parent starts it again (cancelled as it resumes its
  // runs, its held run cancelled too): six driver steps, past this search's depth.
  ['restarting.resuming --GROUP_ENDED[isCurrent]--> restarting.resuming', 'past the depth'],
  // A recycled group whose child group ends meanwhile (being cancelled): three levels of
  // groups, which no tree here has.
  ['recycling --GROUP_ENDED[isCurrent]--> recycling', 'needs three levels of groups'],
  ['resumingAll --GROUP_ENDED[isCurrent]--> resumingAll', 'past the depth (as the first)'],
  // GIVE_UP goes to the children of a failed group: all held (runs end, groups end).
  ['givingUp --CHILD_HELD[isCurrent]--> givingUp', 'every child given up is held'],
]);

const selection = selectGroupPaths(4);
const verified = new Set<string>();
// Real processes on a loaded machine: a generous bound per path.
const PATH_MS = 90_000;

describe('group machine, model-based, against the real supervisor', () => {
  test('the generated paths cover every group transition but those not realized (in the model)', () => {
    const all = listTransitions(groupMachine).map((t) => t.key);
    const inModel = new Set(selection.paths.flatMap((path) => path.keys));
    expect(all.filter((key) => !inModel.has(key))).toEqual([...NOT_REALIZED.keys()]);
    expect(selection.endless).toEqual([]);
  });

  // Bugs (see group-machine-runs.test.ts and group-machine-stops.test.ts): a failure during
  // a restart, a failure past the intensity during one, a parent's recycle of a group in the
  // middle of a restart (held runs sent RECYCLE, which they ignore), and a cancel or recycle
  // while a group starts its children again (their CHILD_STARTED dropped) leave a group
  // waiting forever for a child that never reports.
  test.fails('no path leaves a group waiting forever for a child', () => {
    expect(selection.stuck).toEqual([]);
  });

  test.each(
    selection.paths.map((path) => [describeEvents(path.variant, path.events), path] as const),
  )(
    '%s',
    async (_, path) => {
      const driver = new GroupModelDriver(path, verified);
      try {
        await driver.execute();
      } finally {
        await driver.cleanup();
      }
    },
    PATH_MS,
  );

  // Runs last: every transition of the group machine was taken by a real group actor.
  test('every group transition but those not realized was taken by a real group', () => {
    const all = listTransitions(groupMachine).map((t) => t.key);
    expect(all.filter((key) => !verified.has(key))).toEqual([...NOT_REALIZED.keys()]);
  });
});
