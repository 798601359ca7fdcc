// The run machine's states in definition order: what its chart and its transitions name.
export const RUN_STATES = [
  'created',
  'recording',
  'replacing',
  'spawning',
  'running',
  'idle',
  'finalizing',
  'orphaned',
  'ending',
  'backoff',
  'held',
  'done',
  'released',
  'refused',
] as const;
