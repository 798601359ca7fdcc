// Binds the pure machines to this supervisor's runtime: each named effect becomes a real
// actor (or action) that acts for the run its input names.
import { fromPromise } from 'xstate';
import { nestableGroupMachine } from '../machines/group-machine.js';
import { runMachine } from '../machines/run-machine.js';
import { groupTimerEffect, writeGroupEffect } from '../effects/group-effects.js';
import { storeHealthMachine } from '../machines/store-health-machine.js';
import { supervisorMachine } from '../machines/supervisor-machine.js';
import { launchEffect } from '../effects/launch-effect.js';
import { probeStoreEffect } from '../effects/probe-store-effect.js';
import { restartTimerEffect } from '../effects/restart-timer-effect.js';
import { terminateEffect } from '../effects/terminate-effect.js';
import { watchdogEffect } from '../effects/watchdog-effect.js';
import { writeAheadEffect } from '../effects/write-ahead-effect.js';
import type { RuntimeEnvironment } from './runtime-environment.js';

/** What the supervisor's own effects do. */
export interface SupervisorEffects {
  /** Takes the lease and reconciles; adopted runs arrive as ADOPT_RUN events. */
  boot(signal: AbortSignal): Promise<void>;
  /** Waits for every write and delete, releases the lease, closes the store. */
  close(): Promise<void>;
  /** One cheap round trip to the store; rejects when it is unreachable. */
  probeStore(): Promise<unknown>;
  /** The store is back: every live run writes its record again. */
  rewriteRecords(): void;
  /** Stores a group's record (its write-ahead). */
  writeGroup(path: string): Promise<void>;
}

export function provideMachines(env: RuntimeEnvironment, effects: SupervisorEffects) {
  const forRun =
    (act: (run: NonNullable<ReturnType<RuntimeEnvironment['runtime']>>) => void) =>
    ({ context }: { context: { runId: string } }) => {
      const run = env.runtime(context.runId);
      if (run !== undefined) act(run);
    };
  const run = runMachine.provide({
    actors: {
      writeAhead: writeAheadEffect(env),
      launch: launchEffect(env),
      watchdog: watchdogEffect(env),
      terminate: terminateEffect(env),
      restartTimer: restartTimerEffect(env),
    },
    actions: {
      followAdopted: forRun((r) => {
        r.followAdopted();
      }),
      releaseProcess: forRun((r) => {
        r.releaseProcess();
      }),
      detachProcess: forRun((r) => {
        r.detachProcess();
      }),
    },
  });
  const storeHealth = storeHealthMachine.provide({
    actors: { probeStore: probeStoreEffect(() => effects.probeStore(), env.clock) },
    actions: {
      rewriteRecords: () => {
        effects.rewriteRecords();
      },
    },
  });
  const group = nestableGroupMachine(run, {
    actors: {
      writeGroup: writeGroupEffect((path) => effects.writeGroup(path)),
      groupTimer: groupTimerEffect(env.clock),
    },
  });
  return supervisorMachine.provide({
    actors: {
      run,
      group,
      storeHealth,
      boot: fromPromise(async ({ signal }) => {
        await effects.boot(signal);
        return undefined;
      }),
      close: fromPromise(async () => {
        await effects.close();
        return undefined;
      }),
    },
  });
}
