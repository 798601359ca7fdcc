// The supervisor machine: the lifecycle of one supervisor (boot, serve, drain, stop) and
// the set of runs it holds. Pure data; the facade in src/actors provides the effects.
import { assign, setup } from 'xstate';

/** What a supervisor does with its live runs when it stops. */
export type ShutdownRuns = 'kill' | 'leave';

export interface SupervisorContext {
  /** Ids of runs this supervisor holds that are not done yet. */
  readonly liveRunIds: readonly string[];
  readonly shutdownRuns: ShutdownRuns | null;
}

export type SupervisorEvent =
  /** Boot finished: orphans of the previous supervisor were reconciled. */
  | { type: 'BOOTED' }
  /** Boot failed (for example the store is unreadable); nothing was signalled. */
  | { type: 'BOOT_FAILED' }
  /** A run was created (or restored) and is now held by this supervisor. */
  | { type: 'RUN_ADDED'; runId: string }
  /** A run reached `done`, or was released on a `leave` shutdown. */
  | { type: 'RUN_REMOVED'; runId: string }
  /** Stop accepting runs; finalize (`kill`) or release (`leave`) the live ones. */
  | { type: 'SHUTDOWN'; runs: ShutdownRuns };

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
  },
  actions: {
    /** Finalizes every live run with reason `shutdown`, or releases it without a signal. */
    drainRuns: () => undefined,
    addRun: assign({
      liveRunIds: ({ context, event }) =>
        event.type === 'RUN_ADDED' ? [...context.liveRunIds, event.runId] : context.liveRunIds,
    }),
    removeRun: assign({
      liveRunIds: ({ context, event }) =>
        event.type === 'RUN_REMOVED'
          ? context.liveRunIds.filter((id) => id !== event.runId)
          : context.liveRunIds,
    }),
  },
  guards: {
    drained: ({ context }) => context.liveRunIds.length === 0,
  },
}).createMachine({
  id: 'supervisor',
  context: { liveRunIds: [], shutdownRuns: null },
  initial: 'booting',
  states: {
    booting: {
      on: {
        RUN_ADDED: { actions: 'addRun' },
        RUN_REMOVED: { actions: 'removeRun' },
        BOOTED: { target: 'active' },
        BOOT_FAILED: { target: 'stopped' },
      },
    },
    active: {
      on: {
        RUN_ADDED: { actions: 'addRun' },
        RUN_REMOVED: { actions: 'removeRun' },
        SHUTDOWN: {
          target: 'draining',
          actions: assign({ shutdownRuns: ({ event }) => event.runs }),
        },
      },
    },
    draining: {
      entry: 'drainRuns',
      always: { guard: 'drained', target: 'stopped' },
      on: {
        RUN_REMOVED: { actions: 'removeRun' },
      },
    },
    stopped: { type: 'final' },
  },
});
