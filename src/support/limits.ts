// Defaults shared by the rooms that validate options and the ones that validate records.

/** Default cap of a durable run's output log. */
export const DEFAULT_MAX_LOG_BYTES = 8 * 1024 * 1024;

/** Restart defaults of a run spec (systemd's and pm2's orders of magnitude). */
/** A group's defaults: OTP's one-for-one, and the same intensity as a run's. */
export const GROUP_DEFAULTS = {
  strategy: 'one-for-one',
  maxRestarts: 5,
  restartWindowMs: 60_000,
} as const;

export const RESTART_DEFAULTS = {
  restart: 'never',
  restartDelayMs: 1000,
  maxRestartDelayMs: 30_000,
  maxRestarts: 5,
  restartWindowMs: 60_000,
} as const;
