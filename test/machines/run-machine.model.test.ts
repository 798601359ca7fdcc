// Model-based tests: a search over the run machine itself (with what the world around it
// can do) picks paths that together take every transition the world can cause, and each
// path is replayed against REAL supervisors (real child processes, a real SQLite store,
// reboots on the same home for adopted runs, real groups around a run of a group, with a
// sibling that fails on demand). The transitions the real run actors take are recorded
// through inspection, and the suite fails unless every transition of the machine was taken
// for real, exactly where its path's model took it.
import { describe, expect, test } from 'vitest';
import { listTransitions } from '../../src/machines/list-transitions.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { ModelDriver } from '../support/model-driver.js';
import { describePath, selectPaths } from '../support/model-search.js';
import { TransitionRecorder } from '../support/transition-recorder.js';

/**
 * Transitions no real supervisor can take, with the reason; run-machine.test.ts and
 * run-machine-restarts.test.ts take them. The launch and termination effects catch what
 * fails and report it as SPAWN_FAILED or TREE_DEAD: their `onError` is the last line of
 * defence, for an effect that throws. An early watchdog tick in `idle` needs deadlines that
 * moved after the watchdog was armed, and only output moves them, which leaves `idle`; a
 * wake-up early because of Node's timer limit needs a deadline more than 2^31-1 ms away,
 * which no valid duration gives. The restart timer is armed at most `maxRestartDelayMs` (a
 * duration) ahead, so it never wakes early either.
 */
const UNREALIZABLE = new Map([
  ['spawning --error.invoke.launch--> ending', 'the launch effect reports its failures itself'],
  ['idle --TICK--> idle', 'no early watchdog tick in idle'],
  ['finalizing --error.invoke.terminate--> done', 'the termination reports its failures itself'],
  ['backoff --RESTART_DUE--> backoff', 'no early restart timer: its delay is a valid duration'],
]);

const allTransitions = listTransitions(runMachine).map((t) => t.key);
const paths = selectPaths('pairs');
const recorder = new TransitionRecorder();
// Real processes, and reboots: seconds per path on a loaded machine.
const PATH_MS = 90_000;

describe('run machine, model-based, against the real supervisor', () => {
  test('the generated paths cover every realizable transition of the machine (in the model)', () => {
    const inModel = new Set(paths.flatMap((path) => path.steps.flatMap((step) => step.keys)));
    expect(allTransitions.filter((key) => !inModel.has(key))).toEqual([...UNREALIZABLE.keys()]);
  });

  test('the generated paths have unique names', () => {
    const names = paths.map(describePath);
    expect(new Set(names).size).toBe(names.length);
  });

  test.each(paths.map((path) => [describePath(path), path] as const))(
    '%s',
    async (_, path) => {
      const driver = new ModelDriver(path, recorder);
      try {
        await driver.execute();
      } finally {
        await driver.cleanup();
      }
    },
    PATH_MS,
  );

  // Runs last (tests in a file run in order): every transition was taken by a real run
  // actor, exactly where its path's model took it.
  test('every transition of the run machine was taken by the real supervisor', () => {
    const missing = allTransitions.filter(
      (key) => !recorder.verified.has(key) && !UNREALIZABLE.has(key),
    );
    expect(missing, 'transitions never taken for real').toEqual([]);
  });
});
