// Effect of `finalizing`: ends the whole tree, verifies it dead, and reports TREE_DEAD
// (with EXITED first when the process's own exit report never came). Leaving `finalizing`
// (a `leave` shutdown) aborts it before its next signal.
import { fromCallback } from 'xstate';
import { toErrorInfo } from '../errors.js';
import type { RunEffectInput } from '../machines/run-effects.js';
import type { RunEvent } from '../machines/run-events.js';
import { endRunTree } from './end-run-tree.js';
import type { EffectEnvironment } from './effect-environment.js';

// After a verified-dead tree, the backend's own exit report normally follows within
// node-pty's 200 ms socket-close timeout; past this bound the exit is recorded as unknown.
const EXIT_REPORT_WAIT_MS = 2000;

export function terminateEffect(env: EffectEnvironment) {
  return fromCallback<RunEvent, RunEffectInput>(({ input, sendBack }) => {
    const run = env.runtime(input.runId);
    // Thrown here, the failure reaches the machine (`onError`): the run cannot hang.
    if (run === undefined) throw new Error(`run ${input.runId} has no runtime`);
    const abort = new AbortController();
    const aborted = () => abort.signal.aborted;
    const at = () => env.clock.now();
    const exitUnknown = () => {
      if (run.context.processExit === null)
        sendBack({ type: 'EXITED', exitCode: null, signal: null, at: at() });
    };
    const terminate = async () => {
      const { report, facts } = await endRunTree(run.id, run.context, abort.signal, env.logger);
      if (aborted()) return;
      env.reportSweep(run.id, report);
      if (run.context.processExit === null) await run.waitForExitReport(EXIT_REPORT_WAIT_MS);
      if (aborted()) return;
      // Output not reported yet goes first: offsets are final before the generation ends.
      run.flushOutput();
      // No handle (an orphan) or no report: the tree is verified dead, the code unknowable.
      exitUnknown();
      sendBack({ type: 'TREE_DEAD', ...facts, at: at() });
    };
    terminate().catch((error: unknown) => {
      // A failed termination must not leave the run stuck: it is recorded in the exit.
      env.logger.error({ runId: run.id, err: error }, 'run termination failed');
      if (aborted()) return;
      run.flushOutput();
      exitUnknown();
      const info = toErrorInfo(error);
      sendBack({
        type: 'TREE_DEAD',
        forced: false,
        survivors: [],
        error: { ...info, code: 'E_TERMINATE' },
        at: at(),
      });
    });
    return () => {
      abort.abort();
    };
  });
}
