// The marker that ties a process to its run: the OS layer finds runs' processes by it.

/** The environment variable every process of a run inherits; its value is the run id. */
export const RUN_MARKER = 'RUNWARDEN_RUN_ID';

/**
 * Beside the marker: which generation of the run the process belongs to (1, then one more
 * at each restart). Informative: a process can tell which start it is; tests check that no
 * two generations of a run are alive at once.
 */
export const RUN_GENERATION = 'RUNWARDEN_RUN_GENERATION';
