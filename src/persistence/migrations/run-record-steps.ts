// Run records (`<name>/run/<id>`). Version 1 is what 0.1.0 wrote. Each change to the record
// or to the run machine's snapshot adds a step here (and bumps RUN_RECORD_SCHEMA_VERSION),
// tested against the fixtures of every release.
import { RESTART_DEFAULTS } from '../../support/limits.js';
import type { MigrationStep, StoredObject } from './migration-step.js';

export const runRecordSteps: readonly MigrationStep[] = [
  // 1 -> 2 (issue 16): restart policies in the descriptor, generations in the context. A
  // record written before them is a run that never restarts, in its first generation. The
  // values are spelled out (not taken from the run machine's initial context): a step is
  // history, and must not change when the machine does.
  {
    from: 1,
    change: 'adds restart policies and generations (a v1 run never restarts)',
    migrate: (value) => ({
      ...value,
      schemaVersion: 2,
      snapshot: withContext(value.snapshot, (context) => ({
        generation: 1,
        restarts: 0,
        restartedAt: [],
        backoffStep: 0,
        nextStartAt: null,
        generationEnd: null,
        stopReason: null,
        ...context,
        descriptor: withObject(context.descriptor, (descriptor) => ({
          ...RESTART_DEFAULTS,
          ...descriptor,
        })),
        exit: withObject(context.exit, (exit) => ({ restarts: 0, ...exit })),
      })),
    }),
  },
];

// Applies `change` to an object; anything else is left for validation to refuse.
function withObject(value: unknown, change: (object: StoredObject) => StoredObject): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? change(value as StoredObject)
    : value;
}

function withContext(snapshot: unknown, change: (context: StoredObject) => StoredObject): unknown {
  return withObject(snapshot, (object) => ({
    ...object,
    context: withObject(object.context, change),
  }));
}
