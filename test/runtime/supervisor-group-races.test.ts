// Groups at their edges, each found by a review and fixed: a stop while a group writes its
// record, the same group asked for twice inside a transition, a group created again at a
// path while the last one's record is still being deleted, start order across a boot.
import Keyv from 'keyv';
import { afterEach, expect, test } from 'vitest';
import { createSupervisor, type Supervisor } from '../../src/index.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function supervisor(store?: Keyv): Promise<{ sup: Supervisor; home: string }> {
  const home = createTempHome('runwarden-group-races-');
  cleanups.push(home.remove);
  const sup = await createSupervisor({ home: home.path, ...(store ? { store } : {}) });
  cleanups.push(() => sup.shutdown());
  return { sup, home: home.path };
}

// An in-memory store whose writes of group records wait until `open()`.
class GatedMap extends Map<string, unknown> {
  gated = false;
  private readonly waiting: Array<() => void> = [];
  open(): void {
    this.gated = false;
    for (const go of this.waiting.splice(0)) go();
  }
  // @ts-expect-error: Keyv awaits whatever its store's `set` returns
  override set(key: string, value: unknown): Promise<this> | this {
    if (this.gated && key.includes('/group/'))
      return new Promise((resolve) => {
        this.waiting.push(() => {
          resolve(super.set(key, value));
        });
      });
    return super.set(key, value);
  }
}

test('a shutdown while a new group writes its record ends it at once; the caller is told', async () => {
  const map = new GatedMap();
  const { sup } = await supervisor(new Keyv({ store: map }));
  map.gated = true;
  const creating = sup.group('x');
  await waitUntil(() => sup.groups()[0]?.state === 'recording', 10_000, 'writing ahead');
  const stopping = sup.shutdown();
  await expect(creating).rejects.toMatchObject({ code: 'E_SUPERVISOR_STOPPED' });
  map.open();
  await stopping;
  expect(sup.state).toBe('stopped');
  // The record that landed after the stop was deleted after it.
  expect([...map.keys()].filter((key) => key.includes('/group/'))).toEqual([]);
});

test('the same group asked for twice inside a transition is created once, for both', async () => {
  const { sup } = await supervisor();
  const answers: Array<Promise<string>> = [];
  sup.onEvent((event) => {
    if (event.type !== 'run.finalized' || answers.length > 0) return;
    for (let i = 0; i < 2; i++) answers.push(sup.group('lazy').then((group) => group.path));
  });
  await (
    await sup.spawn({ command: 'true' })
  ).exited;
  await waitUntil(() => answers.length === 2, 10_000, 'the listener');
  expect(await Promise.all(answers)).toEqual(['lazy', 'lazy']);
  expect(sup.groups().map((group) => group.path)).toEqual(['lazy']);
  expect(sup.state).toBe('active');
});

test("a group created again at a path keeps its record, whatever the last one's delete did", async () => {
  const map = new GatedMap();
  const { sup } = await supervisor(new Keyv({ store: map }));
  const first = await sup.group('x', { strategy: 'one-for-all' });
  map.gated = true;
  await first.spawn({ command: 'sleep', args: ['30'] });
  await first.cancel();
  const again = sup.group('x', { strategy: 'rest-for-one' });
  await waitUntil(() => sup.groups()[0]?.state === 'recording', 10_000, 'the new x writing');
  map.open();
  await again;
  const strategy = () => storedGroup(map, 'x')?.settings.strategy;
  await waitUntil(() => strategy() === 'rest-for-one', 10_000, 'the new record');
  await sup.shutdown({ runs: 'leave' });
  expect(strategy()).toBe('rest-for-one');
});

test('start order survives a leave and a boot: stops and rest-for-one follow it after', async () => {
  const { sup: first, home } = await supervisor();
  const session = await first.group('s', { strategy: 'rest-for-one' });
  const spec = { command: 'sleep', args: ['60'], onOrphan: 'reattach' } as const;
  const a = await session.spawn(spec);
  await session.group('sub');
  const b = await session.spawn(spec);
  const before = first.findGroup('s')?.info();
  expect([...(before?.runs ?? []), ...(before?.groups ?? [])]).toHaveLength(3);
  await first.shutdown({ runs: 'leave' });
  const next = await createSupervisor({ home });
  cleanups.push(() => next.shutdown());
  const node = next.tree().children.find((child) => child.kind === 'group');
  const order = node?.kind === 'group' ? node.children.map((child) => child.id) : [];
  expect(order).toEqual([a.id, 'sub', b.id]);
});

// The group record at `path` as Keyv stored it in the map (serialized), or undefined.
function storedGroup(map: GatedMap, path: string): { settings: { strategy: string } } | undefined {
  const key = [...map.keys()].find((k) => k.endsWith(`/group/${path}`));
  const raw = key === undefined ? undefined : map.get(key);
  if (raw === undefined) return undefined;
  const stored = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { value: unknown };
  return stored.value as { settings: { strategy: string } };
}
