// A lease written by a newer runwarden: this code cannot read it, but every version keeps
// its holder's identity (hostname, bootId, pid, startTicks) in the same frozen shape, so the
// holder is checked. Refused while it lives or cannot be checked; taken once verified dead.
import { hostname } from 'node:os';
import { afterEach, expect, test } from 'vitest';
import { SupervisorBusyError } from '../../src/index.js';
import { withRecords } from '../support/record-editor.js';
import { useSupervisors } from '../support/supervisor-harness.js';
import { createTempHome } from '../support/temp-home.js';
import { startLeaseHolder } from '../support/lease-holder.js';

const create = useSupervisors();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const key = `default/lease/${hostname()}`;

function home(): string {
  const temp = createTempHome();
  cleanups.push(temp.remove);
  return temp.path;
}

async function writeLease(at: string, value: unknown): Promise<void> {
  await withRecords(at, (store) => store.set(key, value, 'write a newer lease'));
}

test('a newer lease held by a live process is refused; once that process is dead it is taken', async () => {
  const at = home();
  const holder = await startLeaseHolder(cleanups);
  const identity = holder.identity;
  await writeLease(at, { schemaVersion: 7, identity, future: 'fields this code cannot read' });

  const refused = await create({ home: at }).catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(SupervisorBusyError);
  expect((refused as SupervisorBusyError).message).toContain(`live pid ${holder.pid}`);
  await withRecords(at, async (store) => {
    expect(await store.get(key)).toMatchObject({
      schemaVersion: 7,
      future: 'fields this code cannot read',
    });
  });

  await holder.end();
  const taken = await create({ home: at });
  expect(taken.state).toBe('active');
  await withRecords(at, async (store) => {
    expect(await store.get(key)).toMatchObject({
      schemaVersion: 2,
      identity: { pid: process.pid },
    });
  });
});

test('a newer lease whose holder cannot be checked (no frozen identity) is refused, and kept', async () => {
  const at = home();
  const lease = { schemaVersion: 7, holder: 'a newer supervisor' };
  await writeLease(at, lease);
  await expect(create({ home: at })).rejects.toBeInstanceOf(SupervisorBusyError);
  await withRecords(at, async (store) => {
    expect(await store.get(key)).toEqual(lease);
  });
});
