// A quarantine entry (`<name>/quarantine/<id>`): an unusable run record moved aside with why.
import { z } from 'zod';
import { QUARANTINE_SCHEMA_VERSION } from './migrations/stored-kinds.js';

const quarantineEntry = z.object({
  schemaVersion: z.literal(QUARANTINE_SCHEMA_VERSION),
  reason: z.string(),
  quarantinedAt: z.number(),
  value: z.unknown(),
  /** The entry this one replaced under the same id (kept whole, as it was stored). */
  previous: z.unknown().optional(),
});

/** A validated quarantine entry at the current version. */
export type QuarantineEntry = z.infer<typeof quarantineEntry>;

/** Validates a (migrated) quarantine entry: the entry, or why it is not one. */
export function validateQuarantineEntry(
  value: unknown,
): { ok: true; entry: QuarantineEntry } | { ok: false; reason: string } {
  const parsed = quarantineEntry.safeParse(value);
  if (parsed.success) return { ok: true, entry: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    ok: false,
    reason: `invalid quarantine entry at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown'}`,
  };
}
