// Whether the store keeps up with the runs: `degraded` while it is unreachable (a failed
// write or probe) or while any run's latest record is not written yet; `ok` once it answers
// again and every lagging run caught up. Coming back, every run writes its record again
// (a store that restarted without persistence may have lost them).
import { assign, setup } from 'xstate';
import type { RunErrorInfo } from '../types.js';
import { storeHealthEffects } from './supervisor-effects.js';

export interface StoreHealthContext {
  /** Runs whose latest record is not in the store yet. */
  readonly lagging: readonly string[];
  /** The last write or probe failed and nothing has answered since. */
  readonly unreachable: boolean;
  readonly lastError: RunErrorInfo | null;
  /** When the current state began (epoch ms). */
  readonly since: number;
}

export type StoreHealthEvent =
  /** A record write of `runId` failed. */
  | { type: 'WRITE_FAILED'; runId: string; error: RunErrorInfo; at: number }
  /** A record write of `runId` landed: the store answers. */
  | { type: 'WRITE_LANDED'; runId: string; at: number }
  /** The run needs no record any more (refused, deleted, closed): it lags behind nothing. */
  | { type: 'RUN_GONE'; runId: string; at: number }
  /** The store refused what belongs to no run (a write-ahead that never landed). */
  | { type: 'REFUSED'; error: RunErrorInfo; at: number }
  | { type: 'PROBE_FAILED'; error: RunErrorInfo; at: number }
  | { type: 'PROBE_OK'; at: number };

export const storeHealthMachine = setup({
  types: {
    context: {} as StoreHealthContext,
    events: {} as StoreHealthEvent,
    input: {} as { readonly since: number },
  },
  actors: storeHealthEffects,
  actions: {
    /** The store answers again: every live run writes its current record again. */
    rewriteRecords: () => undefined,
    recordFailure: assign(({ context, event }) => {
      if (event.type === 'WRITE_FAILED') {
        const lagging = context.lagging.includes(event.runId)
          ? context.lagging
          : [...context.lagging, event.runId];
        return { lagging, unreachable: true, lastError: event.error };
      }
      if (event.type === 'REFUSED' || event.type === 'PROBE_FAILED')
        return { unreachable: true, lastError: event.error };
      return {};
    }),
    recordAnswer: assign(({ context, event }) => {
      if (event.type === 'WRITE_LANDED')
        return { lagging: context.lagging.filter((id) => id !== event.runId), unreachable: false };
      return event.type === 'PROBE_OK' ? { unreachable: false } : {};
    }),
    markSince: assign({ since: ({ event }) => event.at }),
    forgetRun: assign({
      lagging: ({ context, event }) =>
        event.type === 'RUN_GONE'
          ? context.lagging.filter((id) => id !== event.runId)
          : context.lagging,
    }),
  },
  guards: {
    healthy: ({ context }) => !context.unreachable && context.lagging.length === 0,
  },
}).createMachine({
  id: 'storeHealth',
  context: ({ input }) => ({
    lagging: [],
    unreachable: false,
    lastError: null,
    since: input.since,
  }),
  invoke: { src: 'probeStore' },
  initial: 'ok',
  states: {
    ok: {
      on: {
        WRITE_FAILED: { target: 'degraded', actions: ['recordFailure', 'markSince'] },
        REFUSED: { target: 'degraded', actions: ['recordFailure', 'markSince'] },
        PROBE_FAILED: { target: 'degraded', actions: ['recordFailure', 'markSince'] },
      },
    },
    degraded: {
      always: {
        guard: 'healthy',
        target: 'ok',
        actions: [assign({ lastError: null }), 'markSince', 'rewriteRecords'],
      },
      on: {
        WRITE_FAILED: { actions: 'recordFailure' },
        REFUSED: { actions: 'recordFailure' },
        PROBE_FAILED: { actions: 'recordFailure' },
        WRITE_LANDED: { actions: 'recordAnswer' },
        PROBE_OK: { actions: 'recordAnswer' },
        RUN_GONE: { actions: 'forgetRun' },
      },
    },
  },
});
