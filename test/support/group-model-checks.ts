// What the group model's driver compares: transition logs (the real ones a prefix of the
// model's until they are equal), and the lines the members log to their shared session file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Supervisor } from '../../src/index.js';
import { groupStateOf } from '../../src/runtime/group-info.js';
import type { GroupModel } from './group-model.js';
import { itemsOf, VARIANTS } from './group-model-variants.js';
import type { GatedStore } from './model-store.js';
import { waitUntil } from './wait-for.js';

const WAIT_MS = 15_000;

/** Whether `real` equals `model`; throws once `real` is no prefix of it (it diverged). */
export function sameLogs(real: string[][], model: string[][], what: string): boolean {
  const diverged =
    real.length > model.length ||
    real.some((log, i) => log.some((key, j) => model[i]?.[j] !== key));
  if (diverged)
    throw new Error(
      `${what}: the model takes ${JSON.stringify(model)}, for real ${JSON.stringify(real)}`,
    );
  return real.length === model.length && real.every((log, i) => log.length === model[i]?.length);
}

/** The lines the members logged so far (`start`, `ready`, `stop` NAME GENERATION). */
export function sessionLines(home: string): string[] {
  const log = join(home, 'session.log');
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

/**
 * The SIGTERMs logged so far. A member signalled as its process started may or may not have
 * logged it: not compared.
 */
function loggedStops(home: string, model: GroupModel): string[] {
  return sessionLines(home).filter(
    (line) => line.startsWith('stop ') && !model.stoppedAtStart.has(line.slice(5)),
  );
}

/** Every SIGTERM the model sent reached its member (a stubborn one logs it, and goes on), in order. */
export async function expectSignalled(home: string, model: GroupModel, what: string) {
  const { stops, unorderedStops } = model;
  const logged = () => loggedStops(home, model);
  await waitUntil(() => logged().length >= stops.length, WAIT_MS, 'the SIGTERMs');
  expect(inSignalOrder(logged(), unorderedStops), `${what}: members signalled`).toEqual(
    inSignalOrder(stops, unorderedStops),
  );
}

/** Groups show the model's states while the supervisor serves (gone: not listed). */
export function expectGroupStates(sup: Supervisor, model: GroupModel, what: string): void {
  if (!model.serving()) return;
  for (const item of itemsOf(VARIANTS[model.variant])) {
    if (item.kind !== 'group') continue;
    const modelState = model.groupState(item.path).split('.')[0] ?? '';
    const real = sup.findGroup(item.path)?.info()?.state;
    const gone = ['gone', 'stopped'].includes(modelState);
    expect(real, `${what}: group ${item.path}`).toBe(gone ? undefined : groupStateOf(modelState));
  }
}

/** Waits until the run record at `key` is stored in `state` (its write landed). */
export async function recordSays(store: GatedStore, key: string, state: string): Promise<void> {
  const value = async () =>
    (await store.keyv.get<{ snapshot: { value: unknown } }>(key))?.snapshot.value;
  await waitUntil(async () => (await value()) === state, WAIT_MS, `the record ${key} ${state}`);
}

/** The SIGTERM lines with each range signalled at once (`unordered`) sorted. */
function inSignalOrder(stops: readonly string[], unordered: GroupModel['unorderedStops']) {
  const lines = [...stops];
  for (const [from, to] of unordered)
    lines.splice(from, to - from, ...lines.slice(from, to).sort());
  return lines;
}
