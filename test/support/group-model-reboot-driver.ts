// The real side of a reboot in the group model: the store must hold the group records the
// model says (the next boot rebuilds the groups from them), and the next supervisor boots on
// the same home and store, its boot settling while the path goes on.
import type { GroupRecord } from '../../src/persistence/group-record.js';
import type { OrphanPolicy } from '../../src/types.js';
import type { GroupModel } from './group-model.js';
import type { ModelGroupRecord } from './group-model-reboot.js';
import { itemsOf, VARIANTS } from './group-model-variants.js';
import { bootSupervisor, type Booting } from './model-boot.js';
import type { GatedStore } from './model-store.js';
import type { ModelWorld } from './model-world.js';
import type { TransitionRecorder } from './transition-recorder.js';
import { waitUntil } from './wait-for.js';

const WAIT_MS = 15_000;

/** What a group record says that a boot acts on (its times are on another clock). */
function essentials(record: ModelGroupRecord | GroupRecord, name: (id: string) => string) {
  const { state, restarts, cancelReason, restartedAt } = record;
  return {
    state,
    restarts,
    cancelReason,
    window: restartedAt.length,
    children: record.children.map(name),
  };
}

/**
 * Waits until the store holds exactly the model's group records (none for a group that
 * stopped), with its members' run ids as their names; fails, showing both, if it never does
 * (at once if the supervisor stopped: every write landed). A group whose record the store
 * holds is not compared.
 */
export async function expectStoredGroups(
  store: GatedStore,
  supervisor: string,
  model: GroupModel,
  ids: ReadonlyMap<string, string>,
  what: string,
): Promise<void> {
  const names = new Map([...ids].map(([name, id]) => [id, name]));
  const name = (id: string) => names.get(id) ?? id;
  const paths = itemsOf(VARIANTS[model.variant]).flatMap((item) =>
    item.kind === 'group' && !model.groupGates.has(item.path) ? [item.path] : [],
  );
  const expected = JSON.stringify(
    paths.map((path) => {
      const record = model.store.groups.get(path);
      return record === undefined ? null : essentials(record, name);
    }),
  );
  let stored = '';
  const read = async () => {
    const records = await Promise.all(
      paths.map((path) => store.keyv.get<GroupRecord>(`${supervisor}/group/${path}`)),
    );
    stored = JSON.stringify(records.map((r) => (r === undefined ? null : essentials(r, name))));
    return stored === expected;
  };
  const settled = async () => (await read()) || model.ended;
  await waitUntil(settled, WAIT_MS).catch(() => undefined);
  if (stored !== expected)
    throw new Error(`${what}: the model's group records ${expected}, the store's ${stored}`);
}

/** Boots the next supervisor on the world's home and store, inspected by `recorder`. */
export function bootNext(
  world: ModelWorld,
  store: GatedStore,
  recorder: TransitionRecorder,
  onOrphan: OrphanPolicy,
): Promise<Booting> {
  return bootSupervisor({
    home: world.home.path,
    name: world.name,
    store: store.keyv,
    clock: world.clock,
    inspect: recorder.inspect,
    onOrphan,
  });
}
