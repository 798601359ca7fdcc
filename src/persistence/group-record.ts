// The record stored per group (`<name>/group/<path>`): its settings, its restart history
// and the state a boot takes it up in. Its runs have records of their own, naming it.
import { z } from 'zod';
import type { GroupHistory } from '../machines/group-context.js';
import type { GroupSettings } from '../types.js';
import { UndecodableValue } from './undecodable-value.js';

export const GROUP_RECORD_SCHEMA_VERSION = 1;

export interface GroupRecord extends GroupHistory {
  readonly schemaVersion: typeof GROUP_RECORD_SCHEMA_VERSION;
  readonly supervisor: string;
  readonly path: string;
  readonly settings: GroupSettings;
  readonly createdAt: number;
  readonly updatedAt: number;
}

const segment = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;
const MAX_DEPTH = 8;
const schema = z.object({
  schemaVersion: z.literal(GROUP_RECORD_SCHEMA_VERSION),
  supervisor: z.string(),
  path: z
    .string()
    .refine(
      (path) =>
        path.split('/').length <= MAX_DEPTH && path.split('/').every((p) => segment.test(p)),
      'a group path of up to 8 ids',
    ),
  settings: z.object({
    strategy: z.enum(['one-for-one', 'one-for-all', 'rest-for-one']),
    maxRestarts: z.number().int().nonnegative(),
    restartWindowMs: z.number().int().positive(),
  }),
  createdAt: z.number(),
  restartedAt: z.array(z.number()),
  restarts: z.number().int().nonnegative(),
  state: z.enum(['active', 'stopping', 'failed']),
  children: z.array(z.string()),
  cancelReason: z
    .enum(['cancelled', 'replaced', 'owner-gone', 'shutdown', 'orphan-killed'])
    .default('cancelled'),
  updatedAt: z.number(),
});

/** Validates a stored group record. Returns it, or the reason it is unusable. */
export function validateGroupRecord(
  value: unknown,
  expectedPath: string,
): { ok: true; record: GroupRecord } | { ok: false; reason: string } {
  if (value instanceof UndecodableValue) {
    return { ok: false, reason: `the stored text cannot be decoded: ${value.reason}` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    return { ok: false, reason: `invalid group record at ${where || '(root)'}: ${issue?.message}` };
  }
  if (parsed.data.path !== expectedPath) {
    return { ok: false, reason: `record key names group ${expectedPath} but the record another` };
  }
  return { ok: true, record: parsed.data };
}
