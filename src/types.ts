// Public data types shared by the machines, the actors and callers.

/** A process, named so it can be verified before any signal: boot id + pid + start time. */
export interface ProcessIdentity {
  readonly hostname: string;
  readonly bootId: string;
  readonly pid: number;
  /** Start time: clock ticks since boot (field 22 of /proc/<pid>/stat), or, where only `ps`
   * is available, seconds since the epoch. Compared raw, never converted. */
  readonly startTicks: number;
  readonly pgid: number;
  readonly sid: number;
}

/** Why a run ended. */
export type ExitReason =
  | 'exit'
  | 'signal'
  | 'timeout'
  | 'no-output-timeout'
  | 'cancelled'
  | 'replaced'
  | 'owner-gone'
  | 'orphan-killed'
  | 'lost'
  | 'spawn-error'
  | 'shutdown'
  /** A restart policy gave up: more than `maxRestarts` within `restartWindowMs`. */
  | 'restart-limit'
  /** Not an end: a `leave` shutdown handed the still-running run to the next supervisor. */
  | 'released';

/** Reasons a caller (or the supervisor on its behalf) can cancel a run with. */
export type CancelReason = 'cancelled' | 'replaced' | 'owner-gone' | 'shutdown' | 'orphan-killed';

/**
 * The run machine's states. `recording`: its write-ahead record is being stored;
 * `held`: a run of a group, stopped (tree verified dead), waiting for its group to start it
 * again;
 * `released`: a `leave` shutdown handed it on alive; `refused`: its write-ahead record
 * could not be stored, so it never started (`spawn()` rejects; it is never listed).
 */
export type RunStateName =
  | 'recording'
  | 'replacing'
  | 'spawning'
  | 'running'
  | 'idle'
  | 'finalizing'
  | 'backoff'
  | 'held'
  | 'orphaned'
  | 'done'
  | 'released'
  | 'refused';

/** What to do with a run whose process outlived the supervisor that started it. */
export type OrphanPolicy = 'kill' | 'reattach';

/**
 * When a run is started again after it ended: `never`; `on-failure` after a non-zero exit,
 * a death by signal, a timeout, a no-output timeout or a failed spawn; `always` after any
 * end. Never after `cancel`, replacement, shutdown or an owner-gone reconcile.
 */
export type RestartPolicy = 'never' | 'on-failure' | 'always';

/** How a run ended. Resolved by `run.exited`, which never rejects. */
export interface RunExit {
  readonly reason: ExitReason;
  /** Exit code of the run's own process; `null` if it was signalled or cannot be known. */
  readonly exitCode: number | null;
  /** Signal that ended the run's own process, if any. */
  readonly signal: NodeJS.Signals | null;
  /** From spawn (or creation, if it never spawned) to verified death of the whole tree. */
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly noOutputTimedOut: boolean;
  /** Whether SIGKILL was needed for any process of the tree. */
  readonly forced: boolean;
  /** Set for `spawn-error`, and when signals were refused (for example EPERM). */
  readonly error: RunErrorInfo | null;
  /** Processes of the tree still alive after termination (refused or unkillable). */
  readonly survivors: readonly number[];
  /** How many times the run was started again (its restart policy); 0 without one. */
  readonly restarts: number;
}

/** A serializable error, as recorded in a run's context. */
export interface RunErrorInfo {
  readonly code: string;
  readonly message: string;
}

/** Absolute deadlines (epoch ms). Stored as data so they survive a restore. */
export interface RunDeadlines {
  readonly timeoutAt: number | null;
  readonly noOutputAt: number | null;
  readonly idleAt: number | null;
}

/** The serializable part of a spawn spec that a run's machine keeps. */
export interface RunDescriptor {
  readonly mode: 'pty' | 'child';
  readonly command: string;
  readonly args: readonly string[];
  readonly shell: string | null;
  readonly cwd: string;
  /** Only the variables the caller passed, never the inherited environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Whether the host's environment was the base of `env`. */
  readonly extendEnv: boolean;
  readonly cols: number;
  readonly rows: number;
  readonly stdin: 'pipe' | 'ignore';
  readonly scopeKey: string | null;
  readonly replaceExistingScope: boolean;
  readonly sessionId: string | null;
  readonly ownerId: string | null;
  readonly backendId: string | null;
  readonly timeoutMs: number | null;
  readonly noOutputTimeoutMs: number | null;
  readonly idleAfterMs: number | null;
  readonly killGraceMs: number;
  readonly maxOutputBytes: number;
  /** `null`: the policy of the supervisor that finds the orphan decides. */
  readonly onOrphan: OrphanPolicy | null;
  /** Held by the run host: survives supervisor crashes with its terminal and output. */
  readonly durable: boolean;
  /** Durable runs: cap of the output log on disk (oldest bytes dropped). */
  readonly maxLogBytes: number;
  readonly restart: RestartPolicy;
  /** The first delay before a restart; it doubles (with jitter) up to `maxRestartDelayMs`. */
  readonly restartDelayMs: number;
  readonly maxRestartDelayMs: number;
  /** More restarts than this within `restartWindowMs` end the run (`restart-limit`). */
  readonly maxRestarts: number;
  readonly restartWindowMs: number;
  /** The path of the group the run belongs to (`agent-1/mcp`), or `null` for none. */
  readonly group: string | null;
}

/**
 * How a supervisor holds its runs' trees, and why (`sup.containment`, `runwarden status`):
 * `cgroup`, a control group per run generation below `cgroupArea`; `marker`, process
 * groups, sessions, parent links and the RUNWARDEN_RUN_ID variable.
 */
export interface ContainmentInfo {
  readonly mode: 'cgroup' | 'marker';
  /** Why this mode: what was asked for and what the machine allows. */
  readonly reason: string;
  /** The supervisor's cgroup area (cgroup mode), else `null`. */
  readonly cgroupArea: string | null;
  /** Which kernel limits its runs' cgroups can have (`pids`, `memory`); empty in marker mode. */
  readonly kernelLimits: readonly ('pids' | 'memory')[];
}

/** A point-in-time view of a run, safe to serialize. */
export interface RunInfo extends RunDescriptor {
  readonly id: string;
  readonly state: RunStateName;
  readonly pid: number | null;
  readonly identity: ProcessIdentity | null;
  /** The run host holding a durable run; `null` for other runs. */
  readonly host: ProcessIdentity | null;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly lastOutputAt: number | null;
  /** Total bytes of output so far (the next output offset). */
  readonly outputBytes: number;
  readonly deadlines: RunDeadlines;
  /** How many times the run was started again; each start is a new generation. */
  readonly restarts: number;
  /** The current generation: 1 for the first start, one more at each restart. */
  readonly generation: number;
  /** In `backoff`: when the next generation starts (epoch ms); otherwise `null`. */
  readonly nextStartAt: number | null;
  /**
   * How the generation's tree is held: `cgroup` once its process was verified born in its
   * own control group (`cgroup` names it), else `marker` (process group, session, parent
   * links and the RUNWARDEN_RUN_ID variable; also before a generation's process exists).
   */
  readonly containment: 'cgroup' | 'marker';
  /** The generation's control group directory, under cgroup containment; else `null`. */
  readonly cgroup: string | null;
  readonly exit: RunExit | null;
}

/**
 * How a group restarts its runs when one fails (Erlang/OTP's strategies): `one-for-one`
 * restarts the failed run alone; `one-for-all` stops every other run of the group (reverse
 * start order) and starts them all again (start order); `rest-for-one` does that for the
 * failed run and the runs started after it.
 */
export type GroupStrategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';

/**
 * A group's state. `recording`: its record is being stored; `active`: it runs its children
 * (restarting them one for one when due); `restarting`: a one-for-all or rest-for-one
 * restart is under way; `held`: its parent group stopped it for a restart of its own;
 * `failed`: past its intensity, its runs stopped, waiting for its parent's decision;
 * `stopping`: ending its subtree in reverse start order; `stopped`: its subtree ended.
 */
export type GroupStateName =
  'recording' | 'active' | 'restarting' | 'held' | 'failed' | 'stopping' | 'stopped';

/** A group's options: its strategy and its restart intensity. */
export interface GroupOptions {
  /** Default `one-for-one`. */
  readonly strategy?: GroupStrategy;
  /** More restarts than this within `restartWindowMs` fail the group (it escalates). */
  readonly maxRestarts?: number;
  readonly restartWindowMs?: number;
}

/** A group's options with every default filled in. */
export type GroupSettings = Required<GroupOptions>;

/** A point-in-time view of a group, safe to serialize. */
export interface GroupInfo {
  /** Its id within its parent (the last segment of `path`). */
  readonly id: string;
  /** Ids from the top group down, joined by `/`: `agent-1/mcp`. */
  readonly path: string;
  readonly strategy: GroupStrategy;
  readonly maxRestarts: number;
  readonly restartWindowMs: number;
  readonly state: GroupStateName;
  /** Restarts the group carried out (each failed child it restarted counts once). */
  readonly restarts: number;
  /**
   * When its recent restarts happened (those within `restartWindowMs` of the last one): a
   * group fails once `maxRestarts` of them fall within one window.
   */
  readonly restartedAt: readonly number[];
  readonly createdAt: number;
  /** Its live runs' ids and its groups' paths, in start order. */
  readonly runs: readonly string[];
  readonly groups: readonly string[];
}
