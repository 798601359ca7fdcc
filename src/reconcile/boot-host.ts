// What boot reconciliation needs from the supervisor: its store, its policies, and the
// steps that adopt, restore and clean up, which the supervisor's runtime provides.
import type { RunContext } from '../machines/run-context.js';
import type { OrphanFacts } from '../machines/decide-orphan.js';
import type { ProcessIdentity } from '../os/process-identity.js';
import type { RecordStore } from '../persistence/record-store.js';
import type { StoredKind, StoredShape } from '../persistence/migrations/stored-kinds.js';
import type { ValidRunRecord } from '../persistence/run-record-schema.js';
import type { GroupRecord } from '../persistence/group-record.js';
import type { OrphanPolicy, RunErrorInfo } from '../types.js';
import type { RunHostProtocolError } from '../host/client/host-client.js';
import type { FoundHostedRun } from '../host/client/find-hosted-run.js';
import type { Logger } from '../support/logger.js';
import type { AdoptionOutcome } from './note-decision.js';

/** What reconciliation needs from the supervisor. */
export interface BootHost {
  readonly store: RecordStore;
  readonly logger: Logger;
  readonly now: () => number;
  readonly defaultPolicy: OrphanPolicy;
  /** This supervisor's cgroup area (cgroup containment), or null: records name leaves in it. */
  readonly cgroupArea?: string | null;
  readonly retention: { readonly maxFinishedRecords: number; readonly maxAgeMs: number };
  /** Tests only: the migration chains (a step injected); default, this code's. */
  readonly shapes?: Readonly<Record<StoredKind, StoredShape>>;
  /** The boot was called off (a shutdown): it stops before its next step. */
  readonly signal?: AbortSignal;
  /**
   * Adopts a live record as a run actor in `orphaned` and hands it the facts; its machine
   * decides. Resolves with what it decided, once settled. `root` is the verified process a
   * reattached run is watched through; `why` is recorded in the run's exit when the reason
   * alone does not say it (a host it cannot speak to).
   */
  adoptOrphan(
    record: ValidRunRecord,
    facts: OrphanFacts,
    root: ProcessIdentity | null,
    hosted: FoundHostedRun | null,
    why: RunErrorInfo | null,
  ): Promise<AdoptionOutcome>;
  /** A durable run as its live run host holds it, or `null`. Read-only. */
  findHosted(context: RunContext): Promise<FoundHostedRun | null>;
  /** Deletes the files a run left in the home (a durable run's output log). */
  removeRunFiles(runId: string): void;
  /** Keeps a finished record listable. */
  retainFinished(record: ValidRunRecord): void;
  /** Writes an adopted run's record again from its actor (its record was migrated). */
  rewriteAdopted(runId: string): Promise<void>;
  /**
   * Rebuilds the recorded groups, and those the live records name, before any run is
   * adopted into them (parents first).
   */
  restoreGroups?(groups: readonly GroupRecord[], live: readonly RunContext[]): void;
  /**
   * A live record that vouches for no local process (another host's, an earlier boot's):
   * nothing of its run is judged here, its cgroup included.
   */
  leaveAlone?(runId: string): void;
  /** Releases an ended run from a host that cannot be bridged (its frozen route). */
  releaseUnbridged(context: RunContext, refused: RunHostProtocolError): Promise<void>;
}
