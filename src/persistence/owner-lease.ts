// The owner lease for (host, supervisor name): at most one live supervisor per name and
// host touches that name's runs. The previous owner is verified by pid + start time.
import { thisHostname } from '../os/this-host.js';
import { z } from 'zod';
import { RunwardenError, SupervisorBusyError } from '../errors.js';
import { checkIdentity, readIdentity, type ProcessIdentity } from '../os/process-identity.js';
import { takeHostLock, type HostLock } from './host-lock.js';
import { migrateStored } from './migrations/migrate-stored.js';
import { LEASE_SCHEMA_VERSION } from './migrations/stored-kinds.js';
import type { RecordStore } from './record-store.js';
import { silentLogger, type Logger } from '../support/logger.js';

const leaseSchema = z.object({
  schemaVersion: z.literal(LEASE_SCHEMA_VERSION),
  identity: z.object({
    hostname: z.string(),
    bootId: z.string(),
    pid: z.number().int(),
    startTicks: z.number().int(),
    pgid: z.number().int(),
    sid: z.number().int(),
  }),
  acquiredAt: z.number(),
  token: z.string(),
});

/**
 * The frozen part of the lease: every version keeps its holder's identity in this shape,
 * so any version can check whether the holder of a lease it cannot read is alive.
 */
const frozenLeaseSchema = z.object({
  identity: z.object({
    hostname: z.string(),
    bootId: z.string(),
    pid: z.number().int(),
    startTicks: z.number().int(),
  }),
});

const LEASE_SETTLE_MS = 150;

/** A held lease. */
export interface OwnerLease {
  readonly key: string;
  readonly token: string;
  readonly identity: ProcessIdentity;
  readonly hostLock: HostLock;
}

/** Takes the lease, or throws SupervisorBusyError if its holder is verified alive. */
export async function acquireOwnerLease(
  store: RecordStore,
  now: number,
  logger: Logger = silentLogger,
): Promise<OwnerLease> {
  const key = `${store.name}/lease/${thisHostname()}`;
  // First the host-wide mutex: atomic, so two supervisors starting at once on this host
  // cannot both pass the read-then-write of the store lease below.
  const hostLock = await takeHostLock(`${store.location}|${store.name}`);
  if (hostLock === null) {
    const holder = readLease(await store.get(key));
    const pid =
      holder.state === 'current'
        ? holder.lease.identity.pid
        : holder.state === 'newer' || holder.state === 'unreadable'
          ? (holder.holder?.pid ?? -1)
          : -1;
    throw new SupervisorBusyError(
      `supervisor "${store.name}" on ${thisHostname()} is already owned by live pid ${pid === -1 ? '(unknown)' : pid}`,
      pid,
    );
  }
  try {
    return await takeStoreLease(store, key, now, hostLock, logger);
  } catch (error) {
    await hostLock.release();
    throw error;
  }
}

async function takeStoreLease(
  store: RecordStore,
  key: string,
  now: number,
  hostLock: HostLock,
  logger: Logger,
): Promise<OwnerLease> {
  const self = readIdentity(process.pid);
  if (self === undefined) {
    throw new RunwardenError('E_IDENTITY_UNREADABLE', 'cannot read the identity of this process');
  }
  const existing = readLease(await store.get(key));
  if (existing.state === 'newer') {
    // Its holder is checked through the frozen identity: refused unless verified dead.
    const check = existing.holder === null ? 'uncertain' : checkHolder(existing.holder);
    if (check === 'alive' || check === 'uncertain') {
      throw new SupervisorBusyError(
        `supervisor "${store.name}" on ${thisHostname()} has a lease of ${existing.needs}` +
          (existing.holder === null
            ? ' whose holder cannot be checked'
            : ` held by live pid ${existing.holder.pid}`),
        existing.holder?.pid ?? -1,
      );
    }
  } else if (existing.state === 'unreadable') {
    // A lease of this version that does not parse: its holder, if it names one in the frozen
    // shape, is checked as a newer one's. Only a lease naming no holder at all is taken.
    if (existing.holder === null) {
      logger.warn(
        { key, reason: existing.reason },
        'owner lease unreadable and names no holder: taken without a liveness check',
      );
    } else {
      const check = checkHolder(existing.holder);
      if (check === 'alive' || check === 'uncertain') {
        throw new SupervisorBusyError(
          `supervisor "${store.name}" on ${thisHostname()} has an unreadable lease held by live pid ${existing.holder.pid}`,
          existing.holder.pid,
        );
      }
      logger.warn(
        { key, reason: existing.reason, holder: existing.holder.pid },
        'owner lease unreadable, its holder verified dead: taken',
      );
    }
  } else if (existing.state === 'current') {
    const holder = existing.lease.identity;
    const check = checkIdentity(holder);
    // An uncertain holder might be alive: refusing is safe, taking over is not.
    if (check === 'alive' || check === 'uncertain') {
      throw new SupervisorBusyError(
        `supervisor "${store.name}" on ${thisHostname()} is already owned by live pid ${holder.pid}` +
          (holder.pid === process.pid ? ' (this process)' : ''),
        holder.pid,
      );
    }
  }
  const token = `${self.pid}:${self.startTicks}:${now}:${Math.random().toString(36).slice(2)}`;
  await store.set(
    key,
    { schemaVersion: LEASE_SCHEMA_VERSION, identity: self, acquiredAt: now, token },
    'take the owner lease',
  );
  // Keyv has no compare-and-set. Where the host lock does not exclude (not Linux), two
  // supervisors starting at once both write: after a settle window longer than a store
  // round trip, the one whose token survives owns it. With the lock, nobody can interleave.
  if (!hostLock.exclusive) await new Promise((resolve) => setTimeout(resolve, LEASE_SETTLE_MS));
  const stored = readLease(await store.get(key));
  if (stored.state !== 'current' || stored.lease.token !== token) {
    const pid = stored.state === 'current' ? stored.lease.identity.pid : -1;
    throw new SupervisorBusyError(
      `supervisor "${store.name}" was claimed concurrently by pid ${pid}`,
      pid,
    );
  }
  return { key, token, identity: self, hostLock };
}

/** Gives the lease up, if it is still ours. */
export async function releaseOwnerLease(store: RecordStore, lease: OwnerLease): Promise<void> {
  try {
    const stored = readLease(await store.get(lease.key));
    if (stored.state === 'current' && stored.lease.token === lease.token) {
      await store.delete(lease.key);
    }
  } finally {
    await lease.hostLock.release();
  }
}

type ReadLease =
  | { state: 'current'; lease: z.infer<typeof leaseSchema> }
  | { state: 'newer'; needs: string; holder: FrozenHolder | null }
  /** A lease this code should read but cannot: its holder, if named in the frozen shape. */
  | { state: 'unreadable'; reason: string; holder: FrozenHolder | null }
  | { state: 'none' };

// A stored lease, migrated (0.1.0's had no version): a newer one is never read as ours.
function readLease(value: unknown): ReadLease {
  if (value === undefined || value === null) return { state: 'none' };
  const migrated = migrateStored('lease', value);
  if (migrated.status === 'newer') {
    return { state: 'newer', needs: migrated.needs, holder: frozenHolder(value) };
  }
  if (migrated.status === 'invalid') {
    return { state: 'unreadable', reason: migrated.reason, holder: frozenHolder(value) };
  }
  const parsed = leaseSchema.safeParse(migrated.value);
  if (parsed.success) return { state: 'current', lease: parsed.data };
  // The frozen fields are read from the value as stored, and as migrated.
  return {
    state: 'unreadable',
    reason: parsed.error.issues[0]?.message ?? 'invalid lease',
    holder: frozenHolder(migrated.value) ?? frozenHolder(value),
  };
}

function frozenHolder(value: unknown): FrozenHolder | null {
  const frozen = frozenLeaseSchema.safeParse(value);
  return frozen.success ? frozen.data.identity : null;
}

type FrozenHolder = z.infer<typeof frozenLeaseSchema>['identity'];

// The re-check reads only the frozen fields (host, boot, pid, start time).
function checkHolder(holder: FrozenHolder): ReturnType<typeof checkIdentity> {
  return checkIdentity({ ...holder, pgid: -1, sid: -1 });
}
