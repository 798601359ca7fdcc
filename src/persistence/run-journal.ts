// Where run records go. The supervisor writes a run's persisted machine snapshot at every
// transition, the first time BEFORE its process is spawned (write-ahead).

/** The sink for run records. */
export interface RunJournal {
  /** Durably stores the run's persisted snapshot; `final` when the run is done. */
  write(runId: string, snapshot: unknown, final: boolean): Promise<void>;
}
