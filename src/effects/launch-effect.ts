// Effect of `spawning`: starts the process and reports SPAWNED or SPAWN_FAILED. A launch
// cannot be taken back, so the machine stays in `spawning` until it reports; if the actor
// is stopped meanwhile (its whole system went away), a late handle is detached, unsignalled.
import { fromCallback } from 'xstate';
import { toErrorInfo } from '../errors.js';
import type { RunEffectInput } from '../machines/run-effects.js';
import type { RunEvent } from '../machines/run-events.js';
import { readIdentity } from '../os/process-identity.js';
import type { EffectEnvironment } from './effect-environment.js';

export function launchEffect(env: EffectEnvironment) {
  return fromCallback<RunEvent, RunEffectInput>(({ input, sendBack }) => {
    let stopped = false;
    const run = env.runtime(input.runId);
    // Thrown here, the failure reaches the machine (`onError`): the run cannot hang.
    if (run === undefined) throw new Error(`run ${input.runId} has no runtime`);
    const at = () => env.clock.now();
    const { descriptor, generation, outputBytes } = run.context;
    env.launch({ runId: run.id, descriptor, generation, outputFrom: outputBytes }).then(
      ({ handle, cgroup }) => {
        if (stopped) {
          env.logger.warn({ runId: run.id }, 'a launch finished after its run was stopped');
          handle.detach();
          return;
        }
        let identity = null;
        try {
          identity = readIdentity(handle.pid) ?? null;
        } catch (error) {
          // The process exists: it is recorded by pid; its marker finds its tree.
          env.logger.warn({ runId: run.id, err: error }, 'could not read the identity of a run');
        }
        let unfollowed: unknown = null;
        try {
          run.attachProcess(handle);
        } catch (error) {
          env.logger.error({ runId: run.id, err: error }, 'could not follow a started run');
          unfollowed = error;
        }
        sendBack({
          type: 'SPAWNED',
          pid: handle.pid,
          identity,
          host: handle.host ?? null,
          cgroup,
          at: at(),
        });
        // The process exists and is recorded; held by nothing, it is ended (verified).
        if (unfollowed !== null)
          sendBack({
            type: 'CANCEL',
            reason: 'cancelled',
            error: toErrorInfo(unfollowed),
            at: at(),
          });
      },
      (error: unknown) => {
        const info = toErrorInfo(error);
        env.logger.warn({ runId: run.id, code: info.code }, `spawn failed: ${info.message}`);
        if (!stopped) sendBack({ type: 'SPAWN_FAILED', error: info, at: at() });
      },
    );
    return () => {
      stopped = true;
    };
  });
}
