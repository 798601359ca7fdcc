// Builds the public RunInfo view from a run machine's context.
import type { RunContext } from '../machines/run-context.js';
import type { RunInfo, RunStateName } from '../types.js';

/** The serializable view of a run in `state` with `context`. */
export function runInfoFromContext(state: RunStateName, context: RunContext): RunInfo {
  return {
    ...context.descriptor,
    id: context.runId,
    state,
    pid: context.pid,
    identity: context.identity,
    host: context.host,
    createdAt: context.createdAt,
    startedAt: context.startedAt,
    endedAt: context.exit === null ? null : context.endedAt,
    lastOutputAt: context.lastOutputAt,
    outputBytes: context.outputBytes,
    deadlines: context.deadlines,
    restarts: context.restarts,
    generation: context.generation,
    nextStartAt: state === 'backoff' || state === 'held' ? context.nextStartAt : null,
    containment: context.cgroup === null ? 'marker' : 'cgroup',
    cgroup: context.cgroup,
    exit: context.exit,
  };
}
