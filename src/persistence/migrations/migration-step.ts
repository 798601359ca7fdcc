// One step of a stored shape's migration chain: a pure function from version N to N + 1.

/** A stored value as decoded, before validation: an object with unknown fields. */
export type StoredObject = Readonly<Record<string, unknown>>;

/** Migrates one stored shape from `from` to `from + 1`. Pure: never reads or writes a store. */
export interface MigrationStep {
  readonly from: number;
  /** What changed, for logs and the docs. */
  readonly change: string;
  readonly migrate: (value: StoredObject) => StoredObject;
}
