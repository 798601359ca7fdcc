// The owning steps of a boot, for one live record or the quarantine: what is written or
// released only once a run was adopted (restored, decided, settled).
import type { RunContext } from '../machines/run-context.js';
import type { RunHostProtocolError } from '../host/client/host-client.js';
import type { ValidRunRecord } from '../persistence/run-record-schema.js';
import type { LoadedRecords } from './load-records.js';
import type { BootHost } from './reconcile-on-boot.js';
import type { OrphanDecision } from './decide-orphan.js';
import type { ProcessIdentity } from '../os/process-identity.js';
import type { FoundHostedRun } from '../host/client/find-hosted-run.js';
import type { RunErrorInfo } from '../types.js';

/** What adoption found for one live record. */
export interface Adoption {
  readonly record: ValidRunRecord;
  readonly decision: OrphanDecision;
  readonly root: ProcessIdentity | null;
  readonly hosted: FoundHostedRun | null;
  readonly why: RunErrorInfo | null;
  /** The host that refused this supervisor's protocol, if that is why it is unhosted. */
  readonly refused: RunHostProtocolError | null;
}

/**
 * Adopts one record; resolves the reason when it could not be restored (the caller moves it
 * aside), else `null`. Only an adopted run is released from an unbridged host and, if its
 * record was migrated, written back (its actor skips a run that is already done).
 */
export async function settleAdoption(
  host: BootHost,
  adoption: Adoption,
  migrated: boolean,
): Promise<string | null> {
  const { record, refused } = adoption;
  try {
    await host.adoptOrphan(record, adoption.decision, adoption.root, adoption.hosted, adoption.why);
  } catch (error) {
    // A record that passed validation but cannot be restored (a snapshot XState refuses)
    // must not fail every boot: it is moved aside, and nothing is signalled.
    return `could not be restored: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (refused !== null) {
    const context = record.snapshot.context as unknown as RunContext;
    await host.releaseUnbridged(context, refused).catch((error: unknown) => {
      host.logger.warn({ runId: record.runId, err: error }, 'run host did not release a run');
    });
  }
  if (migrated) await host.rewriteAdopted(record.runId);
  return null;
}

/**
 * Writes back migrated quarantine entries, except those of runs quarantined in this very
 * boot: their key now holds the new entry, which the old one must not overwrite.
 */
export async function writeBackQuarantine(
  host: BootHost,
  loaded: LoadedRecords,
  quarantinedNow: ReadonlySet<string>,
): Promise<void> {
  for (const entry of loaded.migratedQuarantine) {
    if (quarantinedNow.has(entry.runId)) continue;
    await host.store.set(
      host.store.quarantineKey(entry.runId),
      entry.value,
      `write back the quarantine entry of run ${entry.runId}`,
    );
  }
}
