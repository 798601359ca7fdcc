// The pure machines with every effect replaced by a spy the test controls: each effect actor
// records its start and stop and waits to be told what happened; each effect action is a
// vi.fn. The supervisor machine is the parent, as in the runtime, so `sendParent` works.
import {
  createActor,
  fromCallback,
  fromPromise,
  type EventObject,
  type NonReducibleUnknown,
} from 'xstate';
import { vi } from 'vitest';
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
import { supervisorMachine, type RunActorRef } from '../../src/machines/supervisor-machine.js';
import type { RunDescriptor } from '../../src/types.js';
import { descriptor } from './run-fixtures.js';

/** Names of every effect actor of the three machines. */
export const EFFECT_ACTORS = [
  'writeAhead',
  'launch',
  'watchdog',
  'terminate',
  'restartTimer',
  'probeStore',
  'boot',
  'close',
] as const;
export type EffectActor = (typeof EFFECT_ACTORS)[number];

/** One start of an effect actor: for which run (if any), with what input. */
export interface EffectStart {
  readonly src: EffectActor;
  readonly runId: string | null;
  readonly input: unknown;
}

interface Pending {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Spies for every effect, and the provided machines that use them. */
export function spyEffects() {
  const started: EffectStart[] = [];
  const stopped: EffectStart[] = [];
  const promises = new Map<string, Pending>();
  const track = (src: EffectActor, input: unknown): EffectStart => {
    const runId = (input as Partial<RunEffectInput> | undefined)?.runId ?? null;
    const start = { src, runId, input };
    started.push(start);
    return start;
  };
  // A promise effect settles when the test says so (`settle`), never by itself.
  const promise = <I>(src: EffectActor) =>
    fromPromise(({ input, signal }: { input: I; signal: AbortSignal }): Promise<undefined> => {
      const start = track(src, input);
      signal.addEventListener('abort', () => stopped.push(start));
      return new Promise((resolve, reject) => {
        promises.set(`${src}:${start.runId ?? ''}`, {
          resolve: () => {
            resolve(undefined);
          },
          reject,
        });
      });
    });
  // A callback effect reports nothing: the test sends the world's events itself.
  const callback = <I, E extends EventObject = RunEvent>(src: EffectActor) =>
    fromCallback<E, I>(({ input }) => {
      const start = track(src, input);
      return () => {
        stopped.push(start);
      };
    });
  const actions = {
    followAdopted: vi.fn(),
    releaseProcess: vi.fn(),
    detachProcess: vi.fn(),
    rewriteRecords: vi.fn(),
  };
  const run = runMachine.provide({
    actors: {
      writeAhead: promise<RunEffectInput>('writeAhead'),
      launch: callback<RunEffectInput>('launch'),
      watchdog: callback<WatchdogInput>('watchdog'),
      terminate: callback<RunEffectInput>('terminate'),
      restartTimer: callback<RestartTimerInput>('restartTimer'),
    },
    actions: {
      followAdopted: actions.followAdopted,
      releaseProcess: actions.releaseProcess,
      detachProcess: actions.detachProcess,
    },
  });
  const storeHealth = storeHealthMachine.provide({
    actors: { probeStore: callback<NonReducibleUnknown, StoreHealthEvent>('probeStore') },
    actions: { rewriteRecords: actions.rewriteRecords },
  });
  const supervisor = supervisorMachine.provide({
    actors: {
      run,
      storeHealth,
      boot: promise<NonReducibleUnknown>('boot'),
      close: promise<NonReducibleUnknown>('close'),
    },
  });
  return {
    run,
    storeHealth,
    supervisor,
    started,
    stopped,
    actions,
    /** Starts of `src` (for `runId`, when given). */
    starts(src: EffectActor, runId?: string): EffectStart[] {
      return started.filter((s) => s.src === src && (runId === undefined || s.runId === runId));
    },
    /** Settles the pending promise effect `src` (of `runId`); a rejection carries `error`. */
    async settle(src: EffectActor, runId: string | null, error?: unknown): Promise<void> {
      const pending = promises.get(`${src}:${runId ?? ''}`);
      if (pending === undefined) throw new Error(`no pending ${src} for ${runId ?? 'none'}`);
      promises.delete(`${src}:${runId ?? ''}`);
      if (error === undefined) pending.resolve();
      else pending.reject(error);
      // A settled promise actor reports on a later microtask.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
  };
}
export type SpyEffects = ReturnType<typeof spyEffects>;

/** Limits of a supervisor under test. */
export const SUPERVISOR_INPUT = { createdAt: 0, maxLiveRuns: 3, maxFinalRecords: 2 };

/** A supervisor machine with spied effects, started and booted (unless `boot: false`). */
export async function pureSupervisor(
  options: {
    boot?: boolean;
    input?: Partial<typeof SUPERVISOR_INPUT>;
    /** Final records boot keeps listable (they count toward retention). */
    retain?: readonly string[];
  } = {},
) {
  const spies = spyEffects();
  const actor = createActor(spies.supervisor, {
    input: { ...SUPERVISOR_INPUT, ...options.input },
  });
  actor.start();
  if (options.boot !== false) {
    actor.send({ type: 'BOOT' });
    if (options.retain !== undefined)
      actor.send({ type: 'RETAIN_RECORDS', runIds: options.retain });
    await spies.settle('boot', null);
  }
  let next = 0;
  return {
    actor,
    spies,
    /** The run child `runId`. */
    runRef(runId: string): RunActorRef {
      const ref = actor.system.get(runId) as RunActorRef | undefined;
      if (ref === undefined) throw new Error(`no run actor ${runId}`);
      return ref;
    },
    /** Spawns a run (`r1`, `r2`...) and returns its id; the write-ahead stays pending. */
    spawn(overrides: Partial<RunDescriptor> = {}): string {
      const runId = `r${++next}`;
      actor.send({ type: 'SPAWN', runId, descriptor: descriptor(overrides), createdAt: 0 });
      return runId;
    },
  };
}
