// The machines of the group model, built once: the supervisor machine with the nestable
// group machine and the real run machine, every effect inert (the model's world sends what
// they would report). Group timers are recorded on the model that owns the actor system.
import { fromCallback, fromPromise, type NonReducibleUnknown } from 'xstate';
import type { GroupTimerInput } from '../../src/machines/group-effects.js';
import type { GroupEvent } from '../../src/machines/group-events.js';
import { nestableGroupMachine } from '../../src/machines/group-machine.js';
import type {
  RestartTimerInput,
  RunEffectInput,
  WatchdogInput,
} from '../../src/machines/run-effects.js';
import type { RunEvent } from '../../src/machines/run-events.js';
import { runMachine } from '../../src/machines/run-machine.js';
import {
  storeHealthMachine,
  type StoreHealthEvent,
} from '../../src/machines/store-health-machine.js';
import { supervisorMachine } from '../../src/machines/supervisor-machine.js';

/** A group timer the model armed: live until it fired or its state was left. */
export interface Timer {
  readonly path: string;
  readonly at: number | null;
  live: boolean;
}

/** Where each actor system records its group timers. */
export const timersOf = new WeakMap<object, Timer[]>();

// A write that never settles by itself: the model's world sends its outcome. A callback,
// not a promise: a promise actor's abort allocates an exception at every stop.
const pending = <I>() =>
  fromCallback(() => undefined) as unknown as ReturnType<typeof fromPromise<undefined, I>>;
const inert = <I, E extends { type: string } = RunEvent>() => fromCallback<E, I>(() => undefined);
const none = () => undefined;

const run = runMachine.provide({
  actors: {
    writeAhead: pending<RunEffectInput>(),
    launch: inert<RunEffectInput>(),
    watchdog: inert<WatchdogInput>(),
    terminate: inert<RunEffectInput>(),
    restartTimer: inert<RestartTimerInput>(),
  },
  actions: { followAdopted: none, releaseProcess: none, detachProcess: none },
});

/** The nestable group machine of the model. */
export const modelGroup = nestableGroupMachine(run, {
  actors: {
    writeGroup: pending<{ path: string }>(),
    groupTimer: fromCallback<GroupEvent, GroupTimerInput>(({ input, system }) => {
      const timer: Timer = { path: input.path, at: input.at, live: true };
      timersOf.get(system)?.push(timer);
      return () => {
        timer.live = false;
      };
    }),
  },
});

/** The supervisor machine of the model. */
export const modelSupervisor = supervisorMachine.provide({
  actors: {
    run,
    group: modelGroup,
    storeHealth: storeHealthMachine.provide({
      actors: { probeStore: inert<NonReducibleUnknown, StoreHealthEvent>() },
      actions: { rewriteRecords: none },
    }),
    boot: pending<NonReducibleUnknown>(),
    close: pending<NonReducibleUnknown>(),
  },
});

/** The id of the actor `recording` invokes (its write) in the run and group machines. */
export const RUN_WRITE = invokeId(run.root.states.recording);
export const GROUP_WRITE = invokeId(modelGroup.root.states.recording);

function invokeId(node: { invoke: ReadonlyArray<{ id: string }> } | undefined): string {
  const id = node?.invoke[0]?.id;
  if (id === undefined) throw new Error('no invoked write in `recording`');
  return id;
}
