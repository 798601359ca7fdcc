// The public view of the store health machine.
import type { SnapshotFrom } from 'xstate';
import type { storeHealthMachine } from '../machines/store-health-machine.js';
import type { RunErrorInfo } from '../types.js';

/** The supervisor's view of its store. */
export interface StoreHealthInfo {
  readonly state: 'ok' | 'degraded';
  /** When the current state began (epoch ms). */
  readonly since: number;
  /** The last store error while degraded. */
  readonly lastError: RunErrorInfo | null;
  /** Runs whose latest record is not in the store yet. */
  readonly laggingRuns: readonly string[];
}

/** The view of a store health snapshot. */
export function storeHealthInfo(
  snapshot: SnapshotFrom<typeof storeHealthMachine>,
): StoreHealthInfo {
  return {
    state: snapshot.value,
    since: snapshot.context.since,
    lastError: snapshot.context.lastError,
    laggingRuns: [...snapshot.context.lagging],
  };
}
