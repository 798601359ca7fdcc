// Model-based tests: xstate/graph walks the run machine itself, and every generated path is
// replayed against the REAL supervisor (real child processes, real SQLite store, restarts).
// The transitions the real run actors take are recorded through inspection, and the suite
// fails unless every transition of the machine was taken for real.
import { createActor, type SnapshotFrom } from 'xstate';
import { createTestModel } from 'xstate/graph';
import { describe, expect, test } from 'vitest';
import { describeTransition, listTransitions } from '../../src/machines/list-transitions.js';
import type { RunEvent } from '../../src/machines/run-events.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { ModelDriver } from '../support/model-driver.js';
import type { ModelStep } from '../support/model-steps.js';
import { fakeIdentity, runInput } from '../support/run-fixtures.js';
import { TransitionRecorder } from '../support/transition-recorder.js';

type RunSnapshot = SnapshotFrom<typeof runMachine>;

const input = runInput({ timeoutMs: 10_000, noOutputTimeoutMs: 5_000, idleAfterMs: 1_000 });
const at = 0;
// What the fixture reports when SIGTERM ends it, and the verified-dead tree that follows.
const exitedOnTerm = { type: 'EXITED', exitCode: 143, signal: null, at } as const;
const treeDead = { type: 'TREE_DEAD', forced: false, survivors: [], error: null, at } as const;

// The events the real world can produce in each state. Order constraints of the real
// supervisor are encoded here: it reports a process's exit before its dead tree, and it
// can only orphan a finalizing run while the process is still alive (ignoring SIGTERM).
function realizableEvents(snapshot: RunSnapshot): RunEvent[] {
  const context = snapshot.context;
  switch (snapshot.value) {
    case 'replacing':
      return [
        { type: 'PREDECESSORS_DONE' },
        { type: 'CANCEL', reason: 'cancelled', at },
        { type: 'ORPHANED', at },
      ];
    case 'spawning':
      return [
        { type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at },
        { type: 'SPAWN_FAILED', error: { code: 'E_COMMAND_NOT_FOUND', message: 'missing' }, at },
        { type: 'ORPHANED', at },
      ];
    case 'running':
    case 'idle':
      return [
        { type: 'OUTPUT', bytes: 5, at },
        ...(snapshot.value === 'running' ? [{ type: 'TICK', now: 1_500 } as const] : []),
        { type: 'TICK', now: 6_000 },
        { type: 'TICK', now: 20_000 },
        { type: 'EXITED', exitCode: 3, signal: null, at },
        { type: 'CANCEL', reason: 'cancelled', at },
        { type: 'ORPHANED', at },
      ];
    case 'finalizing':
      return context.processExit === null
        ? [
            { type: 'OUTPUT', bytes: 5, at },
            exitedOnTerm,
            ...(context.endReason === 'cancelled' ? [{ type: 'ORPHANED', at } as const] : []),
          ]
        : [treeDead];
    case 'orphaned':
      // Without a recorded identity only marker-carrying processes could be killed; a
      // process started but never recorded needs a crash between spawn and the record,
      // which the crash tests cover in a separate process.
      return context.identity === null
        ? [{ type: 'LOST', at }]
        : [
            ...(context.endReason === null
              ? [{ type: 'REATTACH', identity: fakeIdentity, at } as const]
              : []),
            { type: 'CANCEL', reason: 'orphan-killed', at },
            { type: 'LOST', at },
          ];
    case 'done':
      return [];
  }
}

// The abstract state: where the run is, and which facts it already holds.
function serialize(snapshot: RunSnapshot): string {
  const c = snapshot.context;
  return JSON.stringify([
    snapshot.value,
    c.identity !== null,
    c.processExit !== null,
    c.termination !== null,
    c.endReason,
  ]);
}

const model = createTestModel(runMachine, {
  input,
  events: realizableEvents,
  // createTestModel adds a bare event for every type a state handles; keep only ours.
  filterEvents: (snapshot, event) =>
    realizableEvents(snapshot).some((candidate) => candidate.type === event.type),
  serializeState: serialize,
});

/** Replays events on a pure actor, returning the transition keys of each step. */
function pureSteps(events: readonly RunEvent[]): ModelStep[] {
  let current: string[] = [];
  const actor = createActor(runMachine, {
    input,
    inspect: (event) => {
      if (event.type === '@xstate.microstep') {
        for (const transition of event._transitions)
          current.push(describeTransition(transition).key);
      }
    },
  });
  actor.start();
  return events.map((event) => {
    current = [];
    actor.send(event);
    const snapshot = actor.getSnapshot();
    return { event, state: { value: snapshot.value, context: snapshot.context }, keys: current };
  });
}

// Shortest paths reach every (abstract) state; each edge not yet covered adds one path.
function selectPaths(): Array<{ description: string; steps: ModelStep[] }> {
  // allowDuplicatePaths keeps paths that are prefixes of others: each is a state to extend.
  const shortest = model.getShortestPaths({ allowDuplicatePaths: true });
  const byState = new Map(shortest.map((path) => [serialize(path.state), path]));
  const covered = new Set<string>();
  const selected: Array<{ description: string; steps: ModelStep[] }> = [];
  const add = (events: RunEvent[]) => {
    const steps = pureSteps(events);
    const keys = steps.flatMap((step) => step.keys);
    if (keys.every((key) => covered.has(key))) return;
    for (const key of keys) covered.add(key);
    selected.push({ description: describePath(steps), steps });
  };
  const completed = (events: RunEvent[]): RunEvent[] => {
    // Every path runs to `done` through the world's own events, so endings are checked too.
    const steps = pureSteps(events);
    const last = steps.at(-1)?.state;
    if (last === undefined || last.value === 'done') return events;
    return [...events, ...finish(last)];
  };
  const eventsOf = (steps: ReadonlyArray<{ event: { type: string } }>): RunEvent[] =>
    steps
      .map((step) => step.event)
      .filter((event): event is RunEvent => event.type !== 'xstate.init');
  for (const path of shortest) add(completed(eventsOf(path.steps)));
  for (const path of byState.values()) {
    const prefix = eventsOf(path.steps);
    for (const event of realizableEvents(path.state)) add(completed([...prefix, event]));
  }
  return selected;
}

// `EVENT[guard]` per step (a TICK's guard tells which deadline it was), so names are unique.
function describePath(steps: readonly ModelStep[]): string {
  return steps
    .map((step) => step.event.type + (/\[\w+\]/.exec(step.keys[0] ?? '')?.[0] ?? ''))
    .join(' → ');
}

// From a non-final state, the shortest way the real world ends the run.
function finish(state: { value: string; context: { processExit: unknown } }): RunEvent[] {
  switch (state.value) {
    case 'replacing':
      return [{ type: 'CANCEL', reason: 'cancelled', at }];
    case 'spawning':
      return [{ type: 'SPAWN_FAILED', error: { code: 'E', message: 'm' }, at }];
    case 'orphaned':
      return [{ type: 'LOST', at }];
    case 'finalizing':
      return state.context.processExit === null ? [exitedOnTerm, treeDead] : [treeDead];
    default:
      return [{ type: 'CANCEL', reason: 'cancelled', at }, exitedOnTerm, treeDead];
  }
}

const allTransitions = listTransitions(runMachine).map((t) => t.key);
const paths = selectPaths();
const recorder = new TransitionRecorder();

describe('run machine, model-based, against the real supervisor', () => {
  test('the generated paths cover every transition of the machine (in the model)', () => {
    const inModel = new Set(paths.flatMap((path) => path.steps.flatMap((step) => step.keys)));
    expect(allTransitions.filter((key) => !inModel.has(key))).toEqual([]);
  });

  test.each(paths.map((path) => [path.description, path] as const))('%s', async (_, path) => {
    const driver = new ModelDriver(path.steps, recorder);
    try {
      await driver.execute();
    } finally {
      await driver.cleanup();
    }
  });

  test('the generated paths have unique names', () => {
    const names = paths.map((path) => path.description);
    expect(new Set(names).size).toBe(names.length);
  });

  // Runs last (tests in a file run in order): every transition was taken by a real run actor,
  // exactly where its path's model took it.
  test('every transition of the run machine was taken by the real supervisor', () => {
    const missing = allTransitions.filter((key) => !recorder.verified.has(key));
    expect(missing, 'transitions never taken for real').toEqual([]);
  });
});
