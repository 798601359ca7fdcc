// Why a spawn gave no handle, as the machines decided it: the typed error the caller gets.
import {
  LimitExceededError,
  RunStateError,
  StoreError,
  SupervisorStoppedError,
} from '../errors.js';
import type { SpawnRefusal } from '../machines/supervisor-machine.js';
import type { RunRuntime } from './run-runtime.js';

/** The machines took no child for the run: at the limit, not serving, or its group not. */
export function notAdmitted(
  refusal: SpawnRefusal,
  maxLiveRuns: number,
  group: string | null,
): Error {
  if (refusal === 'group') {
    return new RunStateError(
      'E_GROUP_UNAVAILABLE',
      `group ${group ?? ''} takes no runs: it does not exist, or it is stopping or failed`,
    );
  }
  if (refusal !== 'limit') return new SupervisorStoppedError();
  return new LimitExceededError(
    'E_MAX_LIVE_RUNS',
    `limits.maxLiveRuns (${maxLiveRuns}) live runs already; finish or cancel one first`,
  );
}

/** The run ended before it could be handed out: refused, or released; otherwise null. */
export function notHandedOut(run: RunRuntime): Error | null {
  const { exit, pid } = run.context;
  if (run.state === 'refused') {
    // No durable record, so no run: it is forgotten, and the caller told why.
    const why = exit?.error?.message ?? 'the write-ahead record could not be stored';
    return new StoreError('E_STORE_UNAVAILABLE', `run ${run.id} was not started: ${why}`);
  }
  if (run.state === 'released') {
    // Its record names the process: the next supervisor adopts it.
    const process = pid === null ? '' : ` (pid ${pid})`;
    return new SupervisorStoppedError(
      `the supervisor left run ${run.id}${process} to the next supervisor before it was handed out`,
    );
  }
  return null;
}
