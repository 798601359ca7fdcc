// The marker that ties a process to its run: the OS layer finds runs' processes by it.

/** The environment variable every process of a run inherits; its value is the run id. */
export const RUN_MARKER = 'RUNWARDEN_RUN_ID';
