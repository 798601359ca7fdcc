// Checks one step of a model path against the real run, as model-driver.ts replays it.
import { expect } from 'vitest';
import type { RunInfo } from '../../src/types.js';
import type { ModelPath } from './model-paths.js';
import { causedByDriver, machineFacts, matchKeys, publicFacts, type Plan } from './model-steps.js';
import type { TransitionRecorder } from './transition-recorder.js';
import { waitUntil } from './wait-for.js';

const WAIT_MS = 15_000;

/** What a step is checked against. */
export interface StepCheck {
  readonly path: ModelPath;
  readonly plan: Plan;
  readonly recorder: TransitionRecorder;
  readonly runId: string;
  /** Index in the run's recording after the last step matched. */
  readonly cursor: number;
  /** The supervisor's view of the run now (`sup.get(id)`). */
  info(): RunInfo | undefined;
}

/**
 * The real run took exactly the step's transitions next (none missing, none extra, in
 * order), reached the model's state with the facts the model fixes, and the supervisor
 * showed that state at the end of the step. Before an event the driver causes, the run
 * must stand still in that state: `sup.get(id)` is read then, and nothing else happened.
 * Resolves with the index in the run's recording after the step.
 */
export async function expectStep(check: StepCheck, index: number): Promise<number> {
  const { path, recorder, runId } = check;
  const step = path.steps[index];
  if (step === undefined || step.keys.length === 0) throw new Error(`no transition to observe`);
  const what = `step ${index + 1} (${step.event.type} into ${step.state.value})`;
  const end = await waitUntil(
    () => matchKeys(recorder.of(runId), check.cursor, step.keys, what),
    WAIT_MS,
    what,
  );
  const taken = recorder.of(runId);
  const expected = publicFacts(step.state.value, step.state.context);
  const last = taken[end];
  if (last?.kind !== 'transition') throw new Error(`${what}: no transition recorded`);
  expect(machineFacts(last.value, last.context), `${what}: the run actor`).toEqual(
    machineFacts(step.state.value, step.state.context),
  );
  for (const entry of taken.slice(end + 1)) {
    if (entry.kind === 'transition') break;
    expect(publicFacts(entry.info.state, entry.info), `${what}: sup.get(id)`).toEqual(expected);
  }
  if (index === path.steps.length - 1 || causedByDriver(path, index + 1, check.plan)) {
    const extra = taken.slice(end + 1).filter((entry) => entry.kind === 'transition');
    expect(extra, `${what}: transitions after it, before the next step`).toEqual([]);
    // A refused run never existed: the supervisor does not know it.
    const info = check.info();
    if (info === undefined && step.state.value !== 'refused')
      throw new Error(`run ${runId} is unknown to the supervisor`);
    const seen = info === undefined ? undefined : publicFacts(info.state, info);
    expect(seen, `${what}: sup.get(id) at rest`).toEqual(
      step.state.value === 'refused' ? undefined : expected,
    );
  }
  for (const key of step.keys) recorder.verified.add(key);
  return end + 1;
}
