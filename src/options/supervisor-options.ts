// Supervisor options, validated, with their defaults.
import Keyv from 'keyv';
import type { InspectionEvent, Observer } from 'xstate';
import { z } from 'zod';
import type { Clock } from '../support/clock.js';
import { systemClock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { silentLogger } from '../support/logger.js';
import type { OrphanPolicy } from '../types.js';
import { parseOptions } from './invalid-option.js';

/** Options of `createSupervisor()`. */
export interface SupervisorOptions {
  /** Namespaces this supervisor's runs and records. Default `default`. */
  name?: string;
  /**
   * No-output timeout applied to PTY runs given neither `timeoutMs` nor `noOutputTimeoutMs`,
   * so a background terminal never drifts forever. Default 30 minutes; 0 disables.
   */
  defaultNoOutputTimeoutMs?: number;
  /** Default orphan policy of runs that do not set one. Default `kill`. */
  onOrphan?: OrphanPolicy;
  /** A pino-compatible logger. Default: silent. */
  logger?: Logger;
  limits?: {
    /** Spawns beyond this many live runs fail with LimitExceededError. Default 512. */
    maxLiveRuns?: number;
    /** Finished runs kept in memory for `get`/`list`/`output`. Default 100. */
    maxFinishedRuns?: number;
  };
  /** Time source for run deadlines. Default: the system clock. */
  clock?: Clock;
  /**
   * Where run records go: a Keyv instance, or `sqlite://PATH`, `redis://HOST:PORT`,
   * `postgres://...`. Default: `runwarden.sqlite` in `home`.
   */
  store?: Keyv | string;
  /**
   * State directory (0700). Default: `RUNWARDEN_HOME`, else `$XDG_STATE_HOME/runwarden`,
   * else `~/.local/state/runwarden`.
   */
  home?: string;
  /**
   * Receives XState inspection events of the supervisor actor and of every run actor
   * (for example to feed a `@statelyai/inspect` inspector, or to record transitions):
   * a function or an observer, as XState's own `inspect` option.
   */
  inspect?: Inspect;
  /** How long finished runs stay listable in the store. */
  retention?: {
    /** Final records kept; older ones are deleted. Default 1000. */
    maxFinishedRecords?: number;
    /** Final records older than this are deleted at boot. Default 7 days. */
    maxAgeMs?: number;
  };
  /**
   * How a run's whole tree is held: `cgroup`, a control group per run generation (the
   * kernel ends every member, escapees included); `marker`, process groups, sessions,
   * parent links and the RUNWARDEN_RUN_ID variable; `auto` (default), a cgroup where this
   * process may create and enter cgroups (root, or a delegated subtree), else the marker.
   * `cgroup` where it is unavailable fails createSupervisor with the reason.
   */
  containment?: 'auto' | 'cgroup' | 'marker';
  /**
   * @internal Tests only: this supervisor (and the run hosts it starts) plays a runwarden
   * whose run host protocol is this one, and speaks only it. Never read from the environment.
   */
  hostProtocol?: number;
}

/** Options with every default filled in. */
export interface ResolvedSupervisorOptions {
  readonly name: string;
  readonly defaultNoOutputTimeoutMs: number;
  readonly onOrphan: OrphanPolicy;
  readonly logger: Logger;
  readonly maxLiveRuns: number;
  readonly maxFinishedRuns: number;
  readonly clock: Clock;
  readonly store: Keyv | string | undefined;
  readonly home: string | undefined;
  readonly retention: { readonly maxFinishedRecords: number; readonly maxAgeMs: number };
  readonly inspect: Inspect | undefined;
  readonly hostProtocol: number | undefined;
  readonly containment: 'auto' | 'cgroup' | 'marker';
}

/** XState's `inspect` option: a function, or an observer such as `inspector.inspect`. */
export type Inspect = ((event: InspectionEvent) => void) | Observer<InspectionEvent>;

const loggerSchema = z.custom<Logger>(
  (value) =>
    value !== null &&
    typeof value === 'object' &&
    ['debug', 'info', 'warn', 'error'].every(
      (level) => typeof (value as Record<string, unknown>)[level] === 'function',
    ),
  { message: 'expected a pino-compatible logger (debug, info, warn, error methods)' },
);
const clockSchema = z.custom<Clock>(
  (value) =>
    value !== null &&
    typeof value === 'object' &&
    ['now', 'setTimeout', 'clearTimeout'].every(
      (key) => typeof (value as Record<string, unknown>)[key] === 'function',
    ),
  { message: 'expected a clock (now, setTimeout, clearTimeout)' },
);

const schema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a name of letters, digits, . _ -')
    .optional(),
  defaultNoOutputTimeoutMs: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  onOrphan: z.enum(['kill', 'reattach']).optional(),
  logger: loggerSchema.optional(),
  limits: z
    .strictObject({
      maxLiveRuns: z.number().int().min(1).max(1_000_000).optional(),
      maxFinishedRuns: z.number().int().min(0).max(1_000_000).optional(),
    })
    .optional(),
  clock: clockSchema.optional(),
  store: z
    .union([
      z.instanceof(Keyv),
      z
        .string()
        .regex(
          /^(sqlite|redis|rediss|postgres|postgresql):\/\/./,
          'expected a sqlite://, redis:// or postgres:// URL',
        ),
    ])
    .optional(),
  home: z.string().min(1).optional(),
  inspect: z
    .custom<Inspect>(
      (value) =>
        typeof value === 'function' ||
        (typeof value === 'object' &&
          value !== null &&
          typeof (value as { next?: unknown }).next === 'function'),
      { message: 'expected a function or an observer with next()' },
    )
    .optional(),
  retention: z
    .strictObject({
      maxFinishedRecords: z.number().int().min(0).max(10_000_000).optional(),
      maxAgeMs: z.number().int().min(0).optional(),
    })
    .optional(),
  hostProtocol: z.number().int().min(1).optional(),
  containment: z.enum(['auto', 'cgroup', 'marker']).optional(),
});

/** Validates supervisor options. Throws InvalidOptionError naming the option. */
export function resolveSupervisorOptions(options: unknown): ResolvedSupervisorOptions {
  const parsed = parseOptions(schema, options ?? {}, 'options');
  return {
    name: parsed.name ?? 'default',
    defaultNoOutputTimeoutMs: parsed.defaultNoOutputTimeoutMs ?? 30 * 60 * 1000,
    onOrphan: parsed.onOrphan ?? 'kill',
    logger: parsed.logger ?? silentLogger,
    maxLiveRuns: parsed.limits?.maxLiveRuns ?? 512,
    maxFinishedRuns: parsed.limits?.maxFinishedRuns ?? 100,
    clock: parsed.clock ?? systemClock,
    store: parsed.store,
    home: parsed.home,
    inspect: parsed.inspect,
    hostProtocol: parsed.hostProtocol,
    containment: parsed.containment ?? 'auto',
    retention: {
      maxFinishedRecords: parsed.retention?.maxFinishedRecords ?? 1000,
      maxAgeMs: parsed.retention?.maxAgeMs ?? 7 * 24 * 60 * 60 * 1000,
    },
  };
}
