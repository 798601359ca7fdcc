// Validation of stored records: what comes back from a store is untrusted input.
import { isAbsolute, normalize } from 'node:path';
import { z } from 'zod';
import { AREA_PREFIX, parseLeafName } from '../os/cgroup/cgroup-names.js';
import { DEFAULT_MAX_LOG_BYTES } from '../support/limits.js';
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from './run-record.js';
import { UndecodableValue } from './undecodable-value.js';

/** Every run state a record can hold (`created` is transient, `refused` never written). */
export const RECORDED_RUN_STATES = [
  'recording',
  'replacing',
  'spawning',
  'running',
  'idle',
  'finalizing',
  'backoff',
  'held',
  'orphaned',
  'done',
  'released',
] as const;
const nullableInt = z.number().int().nullable();
const identity = z.object({
  hostname: z.string(),
  bootId: z.string(),
  pid: z.number().int().positive(),
  startTicks: z.number().int().nonnegative(),
  pgid: z.number().int(),
  sid: z.number().int(),
});
const descriptor = z.object({
  mode: z.enum(['pty', 'child']),
  command: z.string(),
  args: z.array(z.string()),
  shell: z.string().nullable(),
  cwd: z.string(),
  env: z.record(z.string(), z.string()),
  extendEnv: z.boolean(),
  cols: z.number().int().positive(),
  rows: z.number().int().positive(),
  stdin: z.enum(['pipe', 'ignore']),
  scopeKey: z.string().nullable(),
  replaceExistingScope: z.boolean(),
  sessionId: z.string().nullable(),
  ownerId: z.string().nullable(),
  backendId: z.string().nullable(),
  timeoutMs: nullableInt,
  noOutputTimeoutMs: nullableInt,
  idleAfterMs: nullableInt,
  killGraceMs: z.number().int().nonnegative(),
  maxOutputBytes: z.number().int().positive(),
  onOrphan: z.enum(['kill', 'reattach']).nullable(),
  // Added after the first records were written: older records read as not durable.
  durable: z.boolean().default(false),
  maxLogBytes: z.number().int().positive().default(DEFAULT_MAX_LOG_BYTES),
  // Version 2 (migrations/run-record-steps.ts fills them in for version 1).
  restart: z.enum(['never', 'on-failure', 'always']),
  restartDelayMs: z.number().int().nonnegative(),
  maxRestartDelayMs: z.number().int().nonnegative(),
  maxRestarts: z.number().int().nonnegative(),
  restartWindowMs: z.number().int().positive(),
  // Added with groups (still version 2): records without it belong to no group.
  group: z
    .string()
    .regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}){0,7}$/)
    .nullable()
    .default(null),
});
// A run id is an actor id in the supervisor's actor system: it may not contain ':', which
// the supervisor's own actors use (`rw:store-health`), nor anything a path would trip on.
const runId = z
  .string()
  .regex(
    /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/,
    'a run id of letters, digits, _ . - (not a leading dot)',
  );
const context = z
  .object({
    runId,
    descriptor,
    createdAt: z.number(),
    pid: nullableInt,
    identity: identity.nullable(),
    host: identity.nullable().default(null),
    startedAt: z.number().nullable(),
    lastOutputAt: z.number().nullable(),
    outputBytes: z.number().int().nonnegative(),
    deadlines: z.object({
      timeoutAt: z.number().nullable(),
      noOutputAt: z.number().nullable(),
      idleAt: z.number().nullable(),
    }),
    endReason: z.string().nullable(),
    processExit: z.object({ exitCode: nullableInt, signal: z.string().nullable() }).nullable(),
    termination: z.unknown(),
    error: z.unknown(),
    endedAt: z.number().nullable(),
    exit: z.unknown(),
    generation: z.number().int().positive(),
    restarts: z.number().int().nonnegative(),
    restartedAt: z.array(z.number()),
    backoffStep: z.number().int().nonnegative(),
    nextStartAt: z.number().nullable(),
    generationEnd: z.string().nullable(),
    stopReason: z.string().nullable(),
    // Added with groups (still version 2).
    recycling: z.boolean().default(false),
    // Added with cgroup containment (still version 2): records without it were marker-held.
    cgroup: z.string().nullable().default(null),
  })
  .refine(
    (context) =>
      context.cgroup === null || isLeafOf(context.cgroup, context.runId, context.generation),
    {
      message: "a cgroup that is not this run generation's leaf in a runwarden area",
      path: ['cgroup'],
    },
  );
const snapshot = z.looseObject({
  // A stopped or failed actor could not take the events a boot sends: quarantine those.
  // Terminal states (done, released) are written 'active'; earlier versions wrote 'done'.
  status: z.enum(['active', 'done']),
  value: z.enum(RECORDED_RUN_STATES),
  context,
  // Records are written with no effect actors (`{}`); anything else is not ours.
  children: z.record(z.string(), z.unknown()),
});
const record = z.object({
  schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION),
  supervisor: z.string(),
  runId,
  hostname: z.string(),
  bootId: z.string(),
  final: z.boolean(),
  updatedAt: z.number(),
  snapshot,
});

/** A record that passed validation, with its snapshot's context typed. */
export type ValidRunRecord = RunRecord & { readonly snapshot: z.infer<typeof snapshot> };

/** Validates a stored value. Returns the record, or the reason it is unusable. */
export function validateRunRecord(
  value: unknown,
  expectedRunId: string,
): { ok: true; record: ValidRunRecord } | { ok: false; reason: string } {
  if (value instanceof UndecodableValue) {
    return { ok: false, reason: `the stored text cannot be decoded: ${value.reason}` };
  }
  const parsed = record.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : issue.path.join('.');
    return {
      ok: false,
      reason: `invalid record at ${where || '(root)'}: ${issue?.message ?? 'unknown'}`,
    };
  }
  if (parsed.data.runId !== expectedRunId || parsed.data.snapshot.context.runId !== expectedRunId) {
    return { ok: false, reason: `record key names run ${expectedRunId} but the record another` };
  }
  return { ok: true, record: parsed.data };
}

// A record's cgroup is signalled as a whole (cgroup.kill): it must be the leaf runwarden
// made for this very generation, `<...>/runwarden.<area>/<runId>.g<generation>`, never
// another cgroup a damaged or tampered record could name.
function isLeafOf(path: string, runId: string, generation: number): boolean {
  const parts = path.split('/');
  const leaf = parseLeafName(parts.at(-1) ?? '');
  return (
    leaf?.runId === runId &&
    leaf.generation === generation &&
    isAbsolute(path) &&
    normalize(path) === path &&
    (parts.at(-2) ?? '').startsWith(AREA_PREFIX)
  );
}
