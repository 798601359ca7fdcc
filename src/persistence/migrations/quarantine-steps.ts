// Quarantine entries (`<name>/quarantine/<id>`): `{ reason, quarantinedAt, value }`.
import type { MigrationStep } from './migration-step.js';

export const quarantineSteps: readonly MigrationStep[] = [
  // 1 -> 2: the entry carries `schemaVersion` (0.1.0 wrote none); introduced after 0.1.0 (issue 14).
  { from: 1, change: 'adds schemaVersion', migrate: (value) => ({ ...value, schemaVersion: 2 }) },
];
