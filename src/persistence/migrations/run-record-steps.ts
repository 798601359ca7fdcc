// Run records (`<name>/run/<id>`). Version 1 is what 0.1.0 wrote, and what this code writes:
// no step yet. A change to the record or to the run machine's snapshot adds the step from
// 1 to 2 here (and bumps `current` in stored-kinds.ts), with a fixture of the release.
import type { MigrationStep } from './migration-step.js';

export const runRecordSteps: readonly MigrationStep[] = [];
