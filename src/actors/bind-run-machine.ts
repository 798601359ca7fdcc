// Binds the pure run machine's named effects to run controllers. One bound machine per
// supervisor: each effect finds its run by the actor's id (the run id).
import { runMachine } from '../machines/run-machine.js';
import type { RunController } from './run-controller.js';

/** The run machine whose effects call the controller `find` returns for the actor. */
export function bindRunMachine(
  find: (runId: string) => RunController | undefined,
): typeof runMachine {
  const effect =
    (fn: (run: RunController) => void) =>
    ({ self }: { self: { id: string } }) => {
      const run = find(self.id);
      if (run !== undefined) fn(run);
    };
  return runMachine.provide({
    actions: {
      finalizePredecessors: effect((run) => {
        run.replacePredecessors();
      }),
      spawnProcess: effect((run) => {
        run.spawnProcess();
      }),
      terminateTree: effect((run) => {
        run.terminateTree();
      }),
      releaseProcess: effect((run) => {
        run.releaseProcess();
      }),
    },
  });
}
