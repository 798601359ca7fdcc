// The supervisor machine: the root of one supervisor's actor system. Its runs and groups are
// child actors (runs found by \`systemId\`, their run id; groups by \`group:<path>\`); it admits
// runs (at any depth), gates them on boot, replaces scopes, drains them on shutdown and
// closes only once every record is down. Pure data: the runtime provides the effects (boot,
// close, store health) and executes named actions.
import { assign, emit } from 'xstate';
import { supervisorSetup } from './supervisor-setup.js';

export type {
  RunActorRef,
  ShutdownRuns,
  SpawnRefusal,
  SupervisorContext,
  SupervisorEvent,
  SupervisorInput,
} from './supervisor-setup.js';

export const supervisorMachine = supervisorSetup.createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    runs: [],
    live: [],
    groups: [],
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
    SPAWN_ADMITTED: { actions: 'acceptGroupSpawn' },
    SPAWN_REFUSED: { actions: 'refuseGroupSpawn' },
    GROUP_REFUSED: { actions: { type: 'refuseGroup', params: { reason: 'no-parent' } } },
    GROUP_ENDED: { actions: 'removeGroup' },
    // A group is cancelled in any state it can be in (booting too: it was rebuilt).
    CANCEL_GROUP: { actions: 'cancelGroup' },
    CHILD_HELD: { guard: 'childFailed', actions: 'giveUp' },
    // Groups are created while serving (and rebuilt while booting); never while draining.
    ADD_GROUP: { actions: { type: 'refuseGroup', params: { reason: 'not-serving' } } },
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
            onDone: { target: 'active', actions: 'passAdopted' },
            onError: {
              target: 'failing',
              actions: emit(({ event }) => ({ type: 'bootFailed' as const, error: event.error })),
            },
          },
          on: {
            ADOPT_RUN: { actions: 'adoptRun' },
            ADD_GROUP: { actions: 'addGroup' },
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
                guard: 'groupMissing',
                actions: { type: 'refuseSpawn', params: { reason: 'group' } },
              },
              { guard: 'belowLiveLimit', actions: ['spawnRun', 'supersedePending'] },
              { actions: { type: 'refuseSpawn', params: { reason: 'limit' } } },
            ],
            ADD_GROUP: { actions: 'addGroup' },
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
