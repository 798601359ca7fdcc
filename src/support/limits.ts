// Defaults shared by the rooms that validate options and the ones that validate records.

/** Default cap of a durable run's output log. */
export const DEFAULT_MAX_LOG_BYTES = 8 * 1024 * 1024;
