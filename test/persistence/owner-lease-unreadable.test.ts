// A lease of this code's version that does not parse (a field missing, say) is not simply
// taken: if it names its holder in the frozen shape (hostname, bootId, pid, startTicks),
// that holder is checked as a newer lease's is. Only a lease naming no holder is taken,
// and the taking is logged as a warning.
import { hostname } from 'node:os';
import { afterEach, expect, test } from 'vitest';
import { SupervisorBusyError } from '../../src/index.js';
import { acquireOwnerLease, releaseOwnerLease } from '../../src/persistence/owner-lease.js';
import type { LogFn } from '../../src/support/logger.js';
import { withRecords } from '../support/record-editor.js';
import { createTempHome } from '../support/temp-home.js';
import { startLeaseHolder } from '../support/lease-holder.js';

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

function recordingLogger(): { logger: Parameters<typeof acquireOwnerLease>[2]; warned: string[] } {
  const warned: string[] = [];
  const noop: LogFn = () => undefined;
  const warn: LogFn = (_fields, message) => warned.push(message);
  return { logger: { debug: noop, info: noop, warn, error: noop }, warned };
}

test('an unparsable current lease naming a live holder is refused; once it is dead, taken', async () => {
  const at = home();
  const holder = await startLeaseHolder(cleanups);
  const { pid, startTicks, bootId } = holder.identity;
  // Current version, but no token, pgid nor sid: the full schema refuses it.
  const lease = { schemaVersion: 2, identity: { hostname: hostname(), bootId, pid, startTicks } };
  await withRecords(at, async (store) => {
    await store.set(key, lease, 'write an unparsable lease');
    const refused = await acquireOwnerLease(store, Date.now()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SupervisorBusyError);
    expect((refused as SupervisorBusyError).message).toContain(`live pid ${holder.pid}`);
    expect(await store.get(key)).toEqual(lease);

    await holder.end();
    const { logger, warned } = recordingLogger();
    const taken = await acquireOwnerLease(store, Date.now(), logger);
    expect(taken.identity.pid).toBe(process.pid);
    expect(warned.join('\n')).toContain('holder verified dead');
    await releaseOwnerLease(store, taken);
  });
});

test('an unparsable current lease naming no holder at all is taken, with a warning', async () => {
  const at = home();
  await withRecords(at, async (store) => {
    await store.set(key, { schemaVersion: 2, token: 'no identity' }, 'write a lease');
    const { logger, warned } = recordingLogger();
    const taken = await acquireOwnerLease(store, Date.now(), logger);
    expect(taken.identity.pid).toBe(process.pid);
    expect(warned.join('\n')).toContain('names no holder');
    await releaseOwnerLease(store, taken);
  });
});
