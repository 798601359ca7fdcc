// The owning steps of a boot, for one live record or the quarantine: what is written or
// released only once a run was adopted (restored, decided, settled).
import type { RunContext } from '../machines/run-context.js';
import type { RunHostProtocolError } from '../host/client/host-client.js';
import type { ValidRunRecord } from '../persistence/run-record-schema.js';
import type { LoadedRecords } from './load-records.js';
import type { BootHost } from './reconcile-on-boot.js';
import type { OrphanFacts } from '../machines/decide-orphan.js';
import type { AdoptionOutcome } from './note-decision.js';
import type { ProcessIdentity } from '../os/process-identity.js';
import type { FoundHostedRun } from '../host/client/find-hosted-run.js';
import type { RunErrorInfo } from '../types.js';
import { SupervisorStoppedError } from '../errors.js';

/** What adoption found for one live record. */
export interface Adoption {
  readonly record: ValidRunRecord;
  readonly facts: OrphanFacts;
  readonly root: ProcessIdentity | null;
  readonly hosted: FoundHostedRun | null;
  readonly why: RunErrorInfo | null;
  /** The host that refused this supervisor's protocol, if that is why it is unhosted. */
  readonly refused: RunHostProtocolError | null;
}

/**
 * Adopts one record; resolves the reason when it could not be restored (the caller moves it
 * aside), else what the run's machine decided. Only an adopted run is released from an
 * unbridged host and, if its record was migrated, written back (skipped once it is done).
 */
export async function settleAdoption(
  host: BootHost,
  adoption: Adoption,
  migrated: boolean,
): Promise<string | AdoptionOutcome> {
  const { record, refused } = adoption;
  let outcome: AdoptionOutcome;
  try {
    outcome = await host.adoptOrphan(
      record,
      adoption.facts,
      adoption.root,
      adoption.hosted,
      adoption.why,
    );
  } catch (error) {
    // The supervisor stopped booting: the record is left as it is for the next one.
    if (error instanceof SupervisorStoppedError) throw error;
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
  return outcome;
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
