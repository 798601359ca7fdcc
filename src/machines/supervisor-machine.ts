// The supervisor machine: the root of one supervisor's actor system. Its runs are child
// actors (found by `systemId`, their run id); it admits them, gates them on boot, replaces
// scopes, drains them on shutdown and closes only once every record is down. Pure data:
// the runtime provides the effects (boot, close, store health) and executes named actions.
import { assign, emit, enqueueActions, setup } from 'xstate';
import type { RunDescriptor } from '../types.js';
import type { ProcessIdentity } from '../os/process-identity.js';
import type { RunErrorInfo } from '../types.js';
import type { OrphanFacts } from './decide-orphan.js';
import {
  buildRunExit,
  isTerminalRunState,
  messageOf,
  type RunContext,
  type RunEndedEvent,
} from './run-context.js';
import { runMachine, type RunOutput } from './run-machine.js';
import { storeHealthMachine } from './store-health-machine.js';
import { supervisorEffects } from './supervisor-effects.js';
import {
  expireFinalRecords,
  liveRunsOf,
  pendingInScope,
  predecessorsOf,
  runOf,
  withoutRun,
  type SupervisorContext,
} from './supervisor-context.js';

export type { RunActorRef, SupervisorContext } from './supervisor-context.js';

/** What a supervisor does with its live runs when it stops. */
export type ShutdownRuns = 'kill' | 'leave';

export type SupervisorEvent =
  /** Take the owner lease and reconcile the previous supervisor's runs. */
  | { type: 'BOOT' }
  /** Boot found a live record: adopt it as a child and decide it with these facts. */
  | {
      type: 'ADOPT_RUN';
      record: RunContext;
      facts: OrphanFacts;
      root: ProcessIdentity | null;
      error?: RunErrorInfo;
      at: number;
    }
  /** Boot kept finished records listable (their ids count toward record retention). */
  | { type: 'RETAIN_RECORDS'; runIds: readonly string[] }
  /** Start a new run as a child. */
  | { type: 'SPAWN'; runId: string; descriptor: RunDescriptor; createdAt: number }
  /** A run (entering `replacing`) asks for the live runs of its scope created before it. */
  | { type: 'REPLACE_PREDECESSORS'; runId: string }
  /** Stop accepting runs; finalize (`kill`) or release (`leave`) the live ones. */
  | { type: 'SHUTDOWN'; runs: ShutdownRuns; at: number }
  /** A run reached a terminal state: it leaves (its actor is stopped). */
  | RunEndedEvent
  | { type: 'xstate.error.actor.*'; error: unknown };

/** Input: the limits the machine enforces. */
export interface SupervisorInput {
  /** When the supervisor was created (epoch ms): store health counts from there. */
  readonly createdAt: number;
  readonly maxLiveRuns: number;
  readonly maxFinalRecords: number;
}

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
    emitted: {} as
      | { type: 'runEnded'; output: RunOutput }
      | { type: 'runReplaced'; runId: string; by: string }
      | { type: 'recordsExpired'; runIds: readonly string[] }
      | { type: 'spawnAccepted'; runId: string }
      | { type: 'spawnRefused'; runId: string; reason: 'limit' | 'not-serving' }
      | { type: 'bootFailed'; error: unknown },
  },
  actors: { run: runMachine, storeHealth: storeHealthMachine, ...supervisorEffects },
  actions: {
    spawnRun: assign(({ context, event, spawn }) => {
      if (event.type !== 'SPAWN') return {};
      const { runId, descriptor, createdAt } = event;
      const ref = spawn('run', {
        id: runId,
        systemId: runId,
        input: { runId, descriptor, createdAt },
      });
      return { runs: [...context.runs, ref] };
    }),
    // A newer replacer supersedes the scope's runs that have no process yet: they end now,
    // never launched, instead of starting only to be replaced.
    supersedePending: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'SPAWN' || !event.descriptor.replaceExistingScope) return;
      for (const id of pendingInScope(context, event.descriptor.scopeKey, event.runId)) {
        enqueue.emit({ type: 'runReplaced', runId: id, by: event.runId });
        enqueue.sendTo(id, { type: 'CANCEL', reason: 'replaced' });
      }
    }),
    acceptSpawn: emit(({ event }) => ({
      type: 'spawnAccepted' as const,
      runId: event.type === 'SPAWN' ? event.runId : '',
    })),
    adoptRun: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'ADOPT_RUN') return;
      const runId = event.record.runId;
      enqueue.assign({
        runs: ({ spawn }) => [
          ...context.runs,
          spawn('run', { id: runId, systemId: runId, input: { record: event.record } }),
        ],
      });
      const { facts, root, at } = event;
      enqueue.sendTo(runId, {
        type: 'ADOPT',
        facts,
        root,
        at,
        ...(event.error === undefined ? {} : { error: event.error }),
      });
    }),
    retainRecords: assign({
      finalRecords: ({ context, event }) =>
        // Older than any run that ended during this boot: they go first, to expire first.
        event.type === 'RETAIN_RECORDS'
          ? [...event.runIds, ...context.finalRecords]
          : context.finalRecords,
    }),
    // Cancels the scope's earlier live runs; the replacer goes on once they are all done.
    replacePredecessors: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'REPLACE_PREDECESSORS') return;
      const predecessors = predecessorsOf(context, event.runId);
      for (const id of predecessors) {
        enqueue.emit({ type: 'runReplaced', runId: id, by: event.runId });
        enqueue.sendTo(id, { type: 'CANCEL', reason: 'replaced' });
      }
      if (predecessors.length === 0) enqueue.sendTo(event.runId, { type: 'PREDECESSORS_DONE' });
      else enqueue.assign({ waiting: { ...context.waiting, [event.runId]: predecessors } });
    }),
    // A run left: forget it, release replacers it held up, and apply record retention.
    removeRun: enqueueActions(({ context, event, enqueue }) => {
      const output = event.type === 'RUN_ENDED' ? event.output : failedRunOutput(context, event);
      if (output === null) return;
      const { runId, outcome } = output;
      const next = withoutRun(context, runId);
      for (const [replacer, left] of Object.entries(next.waiting)) {
        // A replacer that ended meanwhile (its own RUN_ENDED is on its way) is not told.
        const snapshot = runOf(context, replacer)?.getSnapshot();
        const waiting = snapshot?.status === 'active' && !isTerminalRunState(snapshot.value);
        if (left.length === 0 && waiting) enqueue.sendTo(replacer, { type: 'PREDECESSORS_DONE' });
      }
      const retention =
        outcome === 'done'
          ? expireFinalRecords(next, runId)
          : { finalRecords: next.finalRecords, expired: [] };
      enqueue.stopChild(runId);
      enqueue.assign({
        ...next,
        waiting: Object.fromEntries(
          Object.entries(next.waiting).filter(([, left]) => left.length > 0),
        ),
        finalRecords: retention.finalRecords,
      });
      // The runtime deletes them (queued; awaited before the store closes).
      if (retention.expired.length > 0)
        enqueue.emit({ type: 'recordsExpired', runIds: retention.expired });
      enqueue.emit({ type: 'runEnded', output });
    }),
    drainRuns: enqueueActions(({ context, event, enqueue }) => {
      const at = event.type === 'SHUTDOWN' ? { at: event.at } : {};
      for (const id of liveRunsOf(context)) {
        enqueue.sendTo(
          id,
          context.shutdownRuns === 'leave'
            ? { type: 'RELEASE', ...at }
            : { type: 'CANCEL', reason: 'shutdown', ...at },
        );
      }
    }),
    refuseSpawn: emit(({ event }, params: { reason: 'limit' | 'not-serving' }) => ({
      type: 'spawnRefused' as const,
      runId: event.type === 'SPAWN' ? event.runId : '',
      reason: params.reason,
    })),
  },
  guards: {
    belowLiveLimit: ({ context }) => context.runs.length < context.maxLiveRuns,
    noLiveRuns: ({ context }) => context.runs.length === 0,
    /** The run that ended is a child of this supervisor (not one removed already). */
    isOwnRun: ({ context, event }) =>
      event.type === 'RUN_ENDED' && runOf(context, event.output.runId) !== undefined,
    /** A run actor failed (an action or guard threw): it leaves, its end unknown. */
    isRunFailure: ({ context, event }) => failedRunOutput(context, event) !== null,
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    runs: [],
    waiting: {},
    finalRecords: [],
    shutdownRuns: null,
    createdAt: input.createdAt,
    maxLiveRuns: input.maxLiveRuns,
    maxFinalRecords: input.maxFinalRecords,
  }),
  initial: 'idle',
  on: {
    // Runs never reach a final state: a done event type per run would grow xstate's memo.
    RUN_ENDED: { guard: 'isOwnRun', actions: 'removeRun' },
    'xstate.error.actor.*': { guard: 'isRunFailure', actions: 'removeRun' },
    // Every spawn gets an answer: outside `open.active` it is refused.
    SPAWN: { actions: { type: 'refuseSpawn', params: { reason: 'not-serving' } } },
    REPLACE_PREDECESSORS: { actions: 'replacePredecessors' },
  },
  states: {
    idle: { on: { BOOT: 'open', SHUTDOWN: 'closing' } },
    // The store is open: its health is watched, and runs may hold records.
    open: {
      // Ids of the supervisor's own actors contain ':', which no run id may (its schema).
      invoke: {
        id: 'rw:store-health',
        systemId: 'rw:store-health',
        src: 'storeHealth',
        input: ({ context }) => ({ since: context.createdAt }),
      },
      initial: 'booting',
      states: {
        booting: {
          invoke: {
            id: 'rw:boot',
            src: 'boot',
            onDone: 'active',
            onError: {
              target: 'failing',
              actions: emit(({ event }) => ({ type: 'bootFailed' as const, error: event.error })),
            },
          },
          on: {
            ADOPT_RUN: { actions: 'adoptRun' },
            RETAIN_RECORDS: { actions: 'retainRecords' },
            SHUTDOWN: {
              target: 'draining',
              actions: assign({ shutdownRuns: ({ event }) => event.runs }),
            },
          },
        },
        active: {
          on: {
            SPAWN: [
              {
                guard: 'belowLiveLimit',
                actions: ['spawnRun', 'supersedePending', 'acceptSpawn'],
              },
              { actions: { type: 'refuseSpawn', params: { reason: 'limit' } } },
            ],
            SHUTDOWN: {
              target: 'draining',
              actions: assign({ shutdownRuns: ({ event }) => event.runs }),
            },
          },
        },
        draining: {
          entry: 'drainRuns',
          always: { guard: 'noLiveRuns', target: '#supervisor.closing' },
        },
        // Boot failed: runs adopted so far must not act for a supervisor that does not exist.
        failing: {
          entry: [assign({ shutdownRuns: 'leave' }), 'drainRuns'],
          always: { guard: 'noLiveRuns', target: '#supervisor.closing' },
        },
      },
    },
    // Every record and delete is down before the lease is released and the store closed.
    closing: {
      invoke: { id: 'rw:close', src: 'close', onDone: 'stopped', onError: 'stopped' },
    },
    stopped: { type: 'final' },
  },
});

// A run child that failed: its last context, its end unknown (`E_MACHINE`); null otherwise.
function failedRunOutput(context: SupervisorContext, event: SupervisorEvent): RunOutput | null {
  const prefix = 'xstate.error.actor.';
  if (!event.type.startsWith(prefix)) return null;
  const runId = event.type.slice(prefix.length);
  const run = runOf(context, runId)?.getSnapshot().context;
  if (run === undefined) return null;
  const error = { code: 'E_MACHINE', message: messageOf((event as { error?: unknown }).error) };
  const exit = buildRunExit({ ...run, endReason: run.endReason ?? 'lost', error });
  return { runId, outcome: 'done', exit };
}
