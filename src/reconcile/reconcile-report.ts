// What a boot found and did. Returned as `sup.lastReconcile` and logged.

/** A run whose identity could not be verified: reported, never signalled. */
export interface UncertainRun {
  readonly runId: string;
  readonly pid: number | null;
  readonly reason: string;
}

/** A stored value written by a newer runwarden: left in place, untouched, never judged. */
export interface NewerRecord {
  /** The store key, without Keyv's prefix: `<name>/run/<id>`. */
  readonly key: string;
  readonly kind: 'run' | 'quarantine' | 'lease';
  /** The run it belongs to (run records and quarantine entries). */
  readonly runId: string | null;
  readonly schemaVersion: number;
  /** Which runwarden can use it: "a runwarden that reads run records v3". */
  readonly needs: string;
}

/** The result of cold-start reconciliation. */
export interface ReconcileReport {
  /** Orphans that were alive and verified, killed with reason `orphan-killed`. */
  readonly killed: string[];
  /** Orphans that were alive and verified, supervised again. */
  readonly reattached: string[];
  /** Runs whose process was gone (or from an earlier boot): `done` with reason `lost`. */
  readonly lost: string[];
  readonly uncertain: UncertainRun[];
  /**
   * Runs waiting in `backoff` to start again at their recorded time: records that were
   * waiting when their supervisor died, and orphans (killed or lost) whose policy restarts them.
   */
  readonly restarting: string[];
  /** Records that failed validation, moved to a quarantine key. */
  readonly quarantined: Array<{ readonly runId: string; readonly reason: string }>;
  /**
   * Records written by a newer runwarden: left in place, neither quarantined nor deleted, and
   * their processes never signalled (they belong to a newer supervisor).
   */
  readonly newer: NewerRecord[];
  /** Marker-carrying processes of runs already final, terminated. */
  readonly escapeesKilled: Array<{ readonly runId: string; readonly pid: number }>;
  /** Marker-carrying processes of runs this store does not know: not ours to judge. */
  readonly unknownMarked: Array<{ readonly runId: string; readonly pid: number }>;
  /**
   * Processes whose environment could not be read (other users'): whether they carry a run
   * marker is uncertain, so none of them was judged or signalled.
   */
  readonly unreadable: number;
  /** Records of other hosts, left untouched. */
  readonly otherHosts: number;
  /** Finished records deleted by the retention policy. */
  readonly expired: number;
  /**
   * Cgroup containment: leaves of this supervisor's area that no live run held, removed
   * (a populated one ended first, as a whole: only this supervisor's runs are placed there).
   */
  readonly strayCgroups: readonly string[];
  readonly dryRun: boolean;
  readonly durationMs: number;
  /** Milliseconds per phase: load, restore, resolve, sweep, retention. */
  readonly phases: Readonly<Record<string, number>>;
}

/** What a report says about each live record it judged. */
export type ReportDecisions = Pick<
  ReconcileReport,
  'killed' | 'reattached' | 'lost' | 'uncertain' | 'restarting'
>;

/** A report's decisions before any record was judged. */
export function noDecisions(): ReportDecisions {
  return { killed: [], reattached: [], lost: [], uncertain: [], restarting: [] };
}
