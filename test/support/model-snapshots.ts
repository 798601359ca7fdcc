// Recipes that bring each machine into each of its states (with spied effects, the run as a
// child of its supervisor) and return the persisted snapshot taken there, as the actor gives
// it (effect children included). `created` has no recipe: it is left in its first macrostep.
import { createActor, type Snapshot } from 'xstate';
import { isTerminalRunState } from '../../src/machines/run-context.js';
import { pureSupervisor, spyEffects } from './model-spies.js';
import { FACTS_FOR, fakeIdentity, storedContext } from './run-fixtures.js';

type Persisted = Snapshot<unknown> & {
  value?: unknown;
  children?: Record<string, { snapshot: Persisted; src: string; systemId?: string }>;
};
type Recipe = () => Promise<Persisted>;

const spawned = { type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at: 0 } as const;
const persist = (ref: { getPersistedSnapshot: () => unknown }) =>
  ref.getPersistedSnapshot() as Persisted;

/** A supervised run brought along `steps` (after its write-ahead, unless `recording`). */
async function runIn(
  steps: (sup: Awaited<ReturnType<typeof pureSupervisor>>, id: string) => Promise<void> | void,
  options: {
    scoped?: boolean;
    /** What happens before the run is spawned (its predecessor is). */
    before?: (sup: Awaited<ReturnType<typeof pureSupervisor>>) => Promise<void>;
  } = {},
): Promise<Persisted> {
  const sup = await pureSupervisor();
  await options.before?.(sup);
  const id = sup.spawn(
    options.scoped === true ? { scopeKey: 's', replaceExistingScope: true } : {},
  );
  const last: { taken: Persisted | null } = { taken: null };
  // A terminal run leaves its supervisor at once: its last snapshot is kept on the way.
  const ref = sup.runRef(id);
  ref.subscribe((snapshot) => {
    if (isTerminalRunState(snapshot.value)) last.taken ??= persist(ref);
  });
  await steps(sup, id);
  return last.taken ?? persist(ref);
}

const written = async (sup: Awaited<ReturnType<typeof pureSupervisor>>, id: string) => {
  await sup.spies.settle('writeAhead', id);
};
const started = async (sup: Awaited<ReturnType<typeof pureSupervisor>>, id: string) => {
  await written(sup, id);
  sup.runRef(id).send(spawned);
};

/** Every state of the run machine a snapshot can be taken in. */
export const RUN_STATES_REACHED: Record<string, Recipe> = {
  recording: () => runIn(() => undefined),
  replacing: () =>
    // A live predecessor in the scope holds the replacer here.
    runIn(written, { scoped: true, before: (sup) => started(sup, sup.spawn({ scopeKey: 's' })) }),
  spawning: () => runIn(written),
  running: () => runIn(started),
  idle: () =>
    runIn(async (sup, id) => {
      await started(sup, id);
      sup.runRef(id).send({ type: 'TICK', now: 1_000 });
    }),
  finalizing: () =>
    runIn(async (sup, id) => {
      await started(sup, id);
      sup.runRef(id).send({ type: 'CANCEL', reason: 'cancelled', at: 5 });
    }),
  orphaned: async () => {
    const sup = await pureSupervisor({ boot: false });
    sup.actor.send({ type: 'BOOT' });
    const record = storedContext({ runId: 'adopted' });
    sup.actor.send({ type: 'ADOPT_RUN', record, facts: FACTS_FOR.uncertain, root: null, at: 1 });
    return persist(sup.runRef('adopted'));
  },
  done: () =>
    runIn(async (sup, id) => {
      await started(sup, id);
      const ref = sup.runRef(id);
      ref.send({ type: 'EXITED', exitCode: 0, signal: null, at: 1 });
      ref.send({ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at: 2 });
    }),
  released: () =>
    runIn(async (sup, id) => {
      await started(sup, id);
      sup.runRef(id).send({ type: 'RELEASE', at: 3 });
    }),
  refused: () =>
    runIn(async (sup, id) => {
      await sup.spies.settle('writeAhead', id, new Error('store down'));
    }),
};

/** Every state of the supervisor machine, by path. */
export const SUPERVISOR_STATES_REACHED: Record<string, Recipe> = {
  idle: () =>
    Promise.resolve(persist(createActor(spyEffects().supervisor, { input: input() }).start())),
  'open.booting': async () => {
    const sup = await pureSupervisor({ boot: false });
    sup.actor.send({ type: 'BOOT' });
    const record = storedContext({ runId: 'adopted' });
    sup.actor.send({
      type: 'ADOPT_RUN',
      record,
      facts: FACTS_FOR.reattach,
      root: fakeIdentity,
      at: 1,
    });
    return persist(sup.actor);
  },
  'open.active': async () => {
    const sup = await pureSupervisor();
    await started(sup, sup.spawn());
    sup.spawn();
    return persist(sup.actor);
  },
  'open.draining': async () => {
    const sup = await pureSupervisor();
    await started(sup, sup.spawn());
    sup.actor.send({ type: 'SHUTDOWN', runs: 'kill', at: 4 });
    return persist(sup.actor);
  },
  // Transient: its adopted runs leave at once; the snapshot is taken as the machine passes.
  'open.failing': async () => {
    const sup = await pureSupervisor({ boot: false });
    const seen: { taken: Persisted | null } = { taken: null };
    sup.actor.subscribe((snapshot) => {
      if (snapshot.matches({ open: 'failing' })) seen.taken ??= persist(sup.actor);
    });
    sup.actor.send({ type: 'BOOT' });
    const record = storedContext({ runId: 'adopted' });
    sup.actor.send({
      type: 'ADOPT_RUN',
      record,
      facts: FACTS_FOR.reattach,
      root: fakeIdentity,
      at: 1,
    });
    await sup.spies.settle('boot', null, new Error('lease busy'));
    if (seen.taken === null) throw new Error('the supervisor never was in open.failing');
    return seen.taken;
  },
  closing: async () => {
    const sup = await pureSupervisor();
    sup.actor.send({ type: 'SHUTDOWN', runs: 'kill', at: 4 });
    return persist(sup.actor);
  },
  stopped: async () => {
    const sup = await pureSupervisor();
    sup.actor.send({ type: 'SHUTDOWN', runs: 'kill', at: 4 });
    await sup.spies.settle('close', null);
    return persist(sup.actor);
  },
};

function input() {
  return { createdAt: 0, maxLiveRuns: 3, maxFinalRecords: 2 };
}
