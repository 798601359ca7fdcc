// The spawn spec callers pass, its validation, and its normalized (serializable) form.
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InvalidOptionError } from '../errors.js';
import { RUN_MARKER } from '../os/run-marker.js';
import { DEFAULT_MAX_LOG_BYTES, RESTART_DEFAULTS } from '../support/limits.js';
import type { OrphanPolicy, RestartPolicy, RunDescriptor } from '../types.js';
import { parseOptions } from './invalid-option.js';

/** What to run and how to supervise it. */
export interface RunSpec {
  /** `pty`: on a pseudo-terminal (interactive programs). `child`: plain pipes. Default `child`. */
  mode?: 'pty' | 'child';
  /** The program (looked up on PATH when it has no slash), or a shell line with `shell`. */
  command: string;
  /** Arguments, passed as argv without a shell. */
  args?: readonly string[];
  /** Run `command` through `/bin/sh -c` (`true`) or through the given shell. Default false. */
  shell?: boolean | string;
  /** Working directory. Default: the host's cwd. */
  cwd?: string;
  /** Variables added to the environment. Only these are ever recorded. */
  env?: Readonly<Record<string, string>>;
  /** Start from the host's environment (default true) or from `env` alone. */
  extendEnv?: boolean;
  /** Terminal size (pty). Default 120x30. */
  cols?: number;
  rows?: number;
  /** Child mode: `pipe` (default) keeps stdin writable; `ignore` gives /dev/null. */
  stdin?: 'pipe' | 'ignore';
  /** Groups runs, e.g. one per agent tool slot. */
  scopeKey?: string;
  /** Finalize every live run of `scopeKey` (reason `replaced`) before this one spawns. */
  replaceExistingScope?: boolean;
  sessionId?: string;
  /** Who owns the run, for `reconcileOrphans`. Defaults to `sessionId`. */
  ownerId?: string;
  /** Free-form tag of the backend that asked for the run. */
  backendId?: string;
  /** End the run (reason `timeout`) this long after it started. 0 or absent: no limit. */
  timeoutMs?: number;
  /**
   * End the run (reason `no-output-timeout`) after this long without output. 0 disables it.
   * Absent on a PTY run without `timeoutMs`: the supervisor's `defaultNoOutputTimeoutMs`.
   */
  noOutputTimeoutMs?: number;
  /** Enter `idle` after this long without output. 0 disables it. Default 10 s. */
  idleAfterMs?: number;
  /** Time between SIGTERM (and SIGHUP for PTYs) and SIGKILL. 0: SIGKILL at once. Default 5000. */
  killGraceMs?: number;
  /** Output kept in memory; older bytes are dropped (offsets stay absolute). Default 1 MiB. */
  maxOutputBytes?: number;
  /**
   * What a later supervisor does if this run outlives this one. Default: the `onOrphan` of
   * the supervisor that finds it.
   */
  onOrphan?: OrphanPolicy;
  /**
   * Hold the run in the run host (a detached process per home and supervisor name), so it
   * keeps its terminal, output and deadlines across supervisor crashes. Default false.
   */
  durable?: boolean;
  /** Durable runs: cap of the on-disk output log; older bytes are dropped. Default 8 MiB. */
  maxLogBytes?: number;
  /**
   * Start the run again after it ended: `on-failure` after a non-zero exit, a death by
   * signal, a timeout, a no-output timeout or a failed spawn; `always` after any end but a
   * cancel, replacement, shutdown or owner-gone reconcile. Default `never`.
   */
  restart?: RestartPolicy;
  /** The first delay before a restart; it doubles with each quick failure. Default 1000. */
  restartDelayMs?: number;
  /** The longest delay; a generation up this long resets the series. Default 30000. */
  maxRestartDelayMs?: number;
  /** More restarts than this within `restartWindowMs` end the run (`restart-limit`). Default 5. */
  maxRestarts?: number;
  /** The window of `maxRestarts`. Default 60000. */
  restartWindowMs?: number;
}

const duration = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);
const label = z.string().min(1).max(256);

const runSpecSchema = z.strictObject({
  mode: z.enum(['pty', 'child']).optional(),
  command: z
    .string()
    .min(1)
    .max(64 * 1024),
  args: z
    .array(z.string().max(1024 * 1024))
    .max(10_000)
    .optional(),
  shell: z.union([z.boolean(), z.string().min(1)]).optional(),
  cwd: z.string().min(1).optional(),
  // A key holding `=` would forge entries (`RUNWARDEN_RUN_ID=x=...`) ahead of the marker.
  env: z
    .record(
      z.string().regex(/^[^=\0]+$/, 'expected a variable name without = or NUL'),
      z.string().regex(/^[^\0]*$/, 'expected a value without NUL'),
    )
    .optional(),
  extendEnv: z.boolean().optional(),
  cols: z.number().int().min(1).max(10_000).optional(),
  rows: z.number().int().min(1).max(10_000).optional(),
  stdin: z.enum(['pipe', 'ignore']).optional(),
  scopeKey: label.optional(),
  replaceExistingScope: z.boolean().optional(),
  sessionId: label.optional(),
  ownerId: label.optional(),
  backendId: label.optional(),
  timeoutMs: duration.optional(),
  noOutputTimeoutMs: duration.optional(),
  idleAfterMs: duration.optional(),
  killGraceMs: duration.optional(),
  maxOutputBytes: z
    .number()
    .int()
    .min(1024)
    .max(2 ** 31)
    .optional(),
  onOrphan: z.enum(['kill', 'reattach']).optional(),
  durable: z.boolean().optional(),
  maxLogBytes: z
    .number()
    .int()
    .min(64 * 1024)
    .max(2 ** 40)
    .optional(),
  restart: z.enum(['never', 'on-failure', 'always']).optional(),
  restartDelayMs: duration.optional(),
  maxRestartDelayMs: duration.optional(),
  maxRestarts: z.number().int().min(0).max(10_000).optional(),
  restartWindowMs: duration.min(1).optional(),
});

/** Supervisor-wide defaults a spec falls back on. */
export interface RunDefaults {
  readonly defaultNoOutputTimeoutMs: number;
}

/** Validates a spawn spec and fills in defaults. Throws InvalidOptionError. */
export function normalizeRunSpec(spec: unknown, defaults: RunDefaults): RunDescriptor {
  const parsed = parseOptions(runSpecSchema, spec, 'spec');
  if (parsed.env !== undefined && RUN_MARKER in parsed.env) {
    throw new InvalidOptionError(
      `env.${RUN_MARKER}`,
      parsed.env[RUN_MARKER],
      'not set: runwarden owns the run marker',
    );
  }
  if (parsed.replaceExistingScope === true && parsed.scopeKey === undefined) {
    throw new InvalidOptionError('replaceExistingScope', true, 'a scopeKey to replace within');
  }
  const restartDelayMs = parsed.restartDelayMs ?? RESTART_DEFAULTS.restartDelayMs;
  const maxRestartDelayMs =
    parsed.maxRestartDelayMs ?? Math.max(restartDelayMs, RESTART_DEFAULTS.maxRestartDelayMs);
  if (maxRestartDelayMs < restartDelayMs) {
    throw new InvalidOptionError(
      'maxRestartDelayMs',
      maxRestartDelayMs,
      `at least restartDelayMs (${restartDelayMs})`,
    );
  }
  const mode = parsed.mode ?? 'child';
  const timeoutMs = positiveOrNull(parsed.timeoutMs);
  let noOutputTimeoutMs = positiveOrNull(parsed.noOutputTimeoutMs);
  // A background PTY run with no limit at all would drift forever: apply the default.
  if (mode === 'pty' && parsed.timeoutMs === undefined && parsed.noOutputTimeoutMs === undefined) {
    noOutputTimeoutMs = positiveOrNull(defaults.defaultNoOutputTimeoutMs);
  }
  const cwd = parsed.cwd === undefined ? process.cwd() : resolveCwd(parsed.cwd);
  return {
    mode,
    command: parsed.command,
    args: parsed.args ?? [],
    shell:
      parsed.shell === true
        ? '/bin/sh'
        : parsed.shell === undefined || parsed.shell === false
          ? null
          : parsed.shell,
    cwd,
    env: parsed.env ?? {},
    extendEnv: parsed.extendEnv ?? true,
    cols: parsed.cols ?? 120,
    rows: parsed.rows ?? 30,
    stdin: parsed.stdin ?? 'pipe',
    scopeKey: parsed.scopeKey ?? null,
    replaceExistingScope: parsed.replaceExistingScope ?? false,
    sessionId: parsed.sessionId ?? null,
    ownerId: parsed.ownerId ?? parsed.sessionId ?? null,
    backendId: parsed.backendId ?? null,
    timeoutMs,
    noOutputTimeoutMs,
    idleAfterMs: parsed.idleAfterMs === undefined ? 10_000 : positiveOrNull(parsed.idleAfterMs),
    killGraceMs: parsed.killGraceMs ?? 5000,
    maxOutputBytes: parsed.maxOutputBytes ?? 1024 * 1024,
    // Unset: the policy of whichever supervisor finds the orphan decides.
    onOrphan: parsed.onOrphan ?? null,
    durable: parsed.durable ?? false,
    maxLogBytes: parsed.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES,
    restart: parsed.restart ?? RESTART_DEFAULTS.restart,
    restartDelayMs,
    maxRestartDelayMs,
    maxRestarts: parsed.maxRestarts ?? RESTART_DEFAULTS.maxRestarts,
    restartWindowMs: parsed.restartWindowMs ?? RESTART_DEFAULTS.restartWindowMs,
    // Set by `group.spawn()`: a spec does not pick its group.
    group: null,
  };
}

function positiveOrNull(ms: number | undefined): number | null {
  return ms === undefined || ms === 0 ? null : ms;
}

function resolveCwd(cwd: string): string {
  return isAbsolute(cwd) ? cwd : resolve(cwd);
}
