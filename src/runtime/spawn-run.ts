// A spawn as the API makes it: validate, ask the machines (which answer every SPAWN), then
// wait for the process and its durable record, or for the reason it has none.
import type { Actor } from 'xstate';
import type { SpawnRefusal, supervisorMachine } from '../machines/supervisor-machine.js';
import { normalizeRunSpec, type RunSpec } from '../options/run-spec.js';
import type { ResolvedSupervisorOptions } from '../options/supervisor-options.js';
import { createRunId } from './create-run-id.js';
import type { RunRuntime } from './run-runtime.js';
import { notAdmitted, notHandedOut } from './spawn-errors.js';
import type { SupervisorRuntime } from './supervisor-runtime.js';

/** Starts a run (in the group at `group`, if set); resolves with its runtime once handed out. */
export async function spawnRun(
  actor: Actor<typeof supervisorMachine>,
  runtime: SupervisorRuntime,
  options: ResolvedSupervisorOptions,
  group: string | null,
  spec: RunSpec,
): Promise<RunRuntime> {
  const descriptor = { ...normalizeRunSpec(spec, options), group };
  const runId = createRunId();
  const createdAt = options.clock.now();
  const run = runtime.createRun({ runId, descriptor, outputBytes: 0 });
  // The machine answers every SPAWN, at once or (sent from inside a transition, by an
  // event listener) once it processes it; a run of a group, once its group answered.
  const refusal = await answerTo(actor, runId, () => {
    actor.send({ type: 'SPAWN', runId, descriptor, createdAt });
  });
  if (refusal !== null) {
    runtime.forget(runId);
    throw notAdmitted(refusal, options.maxLiveRuns, group);
  }
  await run.started();
  const error = notHandedOut(run);
  if (error !== null) throw error;
  return run;
}

/**
 * Sends a SPAWN (through `send`) and resolves with the machine's answer for `runId`: null
 * when it took the run as a child, else why it refused. A stopped system refuses.
 */
export function answerTo(
  actor: Actor<typeof supervisorMachine>,
  runId: string,
  send: () => void,
): Promise<SpawnRefusal | null> {
  // A stopped system answers nothing (and would settle while being subscribed to).
  if (actor.getSnapshot().status !== 'active') return Promise.resolve('not-serving');
  return new Promise((resolve) => {
    let settled = false;
    const subscriptions: Array<{ unsubscribe(): void }> = [];
    const settle = (answer: SpawnRefusal | null) => {
      if (settled) return;
      settled = true;
      for (const subscription of subscriptions) subscription.unsubscribe();
      resolve(answer);
    };
    subscriptions.push(
      actor.on('spawnAccepted', (event) => {
        if (event.runId === runId) settle(null);
      }),
      actor.on('spawnRefused', (event) => {
        if (event.runId === runId) settle(event.reason);
      }),
      // A system that stops (or fails) before it processed the SPAWN answers no more.
      actor.subscribe({
        complete: () => {
          settle('not-serving');
        },
        error: () => {
          settle('not-serving');
        },
      }),
    );
    send();
  });
}
