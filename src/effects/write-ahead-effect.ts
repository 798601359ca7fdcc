// Effect of `recording`: the run's record (its marker included) is durable before the run
// may go on to `spawning`. A failure refuses the run: it never gets a process.
import { fromPromise } from 'xstate';
import type { RunEffectInput } from '../machines/run-effects.js';
import type { EffectEnvironment } from './effect-environment.js';

export function writeAheadEffect(env: EffectEnvironment) {
  return fromPromise<undefined, RunEffectInput>(async ({ input }) => {
    const run = env.runtime(input.runId);
    if (run === undefined) throw new Error(`run ${input.runId} has no runtime`);
    await run.writeAhead();
    return undefined;
  });
}
