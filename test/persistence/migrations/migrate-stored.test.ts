// The migration chain: pure steps from N to N + 1, applied before validation; newer values
// are never migrated, only named with the version they need.
import { expect, test } from 'vitest';
import { migrateStored } from '../../../src/persistence/migrations/migrate-stored.js';
import { storedShapes } from '../../../src/persistence/migrations/stored-kinds.js';
import { UndecodableValue } from '../../../src/persistence/undecodable-value.js';

test('every kind has one step per version below its current one, in order', () => {
  for (const shape of Object.values(storedShapes)) {
    expect(shape.steps.map((step) => step.from)).toEqual(
      Array.from({ length: shape.current - 1 }, (_, index) => index + 1),
    );
  }
});

test("0.1.0's lease and quarantine entry (no schemaVersion) are version 1 and get it", () => {
  const lease = { identity: { pid: 1 }, acquiredAt: 5, token: 't' };
  expect(migrateStored('lease', lease)).toEqual({
    status: 'current',
    from: 1,
    value: { ...lease, schemaVersion: 2 },
  });
  const entry = { reason: 'r', quarantinedAt: 5, value: { raw: 'x' } };
  expect(migrateStored('quarantine', entry)).toEqual({
    status: 'current',
    from: 1,
    value: { ...entry, schemaVersion: 2 },
  });
  // Pure: the stored value itself is untouched.
  expect(lease).not.toHaveProperty('schemaVersion');
});

test('a run record of v1 becomes v2: a run that never restarts, in its first generation', () => {
  const exit = { reason: 'exit', exitCode: 0 };
  const context = { runId: 'r', descriptor: { command: 'true' }, exit };
  const record = { schemaVersion: 1, runId: 'r', snapshot: { value: 'done', context } };
  expect(migrateStored('run', record)).toEqual({
    status: 'current',
    from: 1,
    value: {
      schemaVersion: 2,
      runId: 'r',
      snapshot: {
        value: 'done',
        context: {
          ...context,
          descriptor: {
            command: 'true',
            restart: 'never',
            restartDelayMs: 1000,
            maxRestartDelayMs: 30_000,
            maxRestarts: 5,
            restartWindowMs: 60_000,
          },
          exit: { ...exit, restarts: 0 },
          generation: 1,
          restarts: 0,
          restartedAt: [],
          backoffStep: 0,
          nextStartAt: null,
          generationEnd: null,
          stopReason: null,
        },
      },
    },
  });
  // Shapes that are not a record are left for validation to refuse.
  const odd = { schemaVersion: 1, snapshot: 'text' };
  expect(migrateStored('run', odd)).toEqual({
    status: 'current',
    from: 1,
    value: { schemaVersion: 2, snapshot: 'text' },
  });
  // A run record of v2 is current: nothing to migrate.
  const current = { schemaVersion: 2, runId: 'r' };
  expect(migrateStored('run', current)).toEqual({ status: 'current', from: 2, value: current });
});

test('a value of a newer version is never migrated: it names the version it needs', () => {
  expect(migrateStored('run', { schemaVersion: 3, runId: 'r' })).toEqual({
    status: 'newer',
    schemaVersion: 3,
    needs: 'a runwarden that reads run records v3',
  });
  expect(migrateStored('lease', { schemaVersion: 9 })).toMatchObject({
    status: 'newer',
    needs: 'a runwarden that reads owner leases v9',
  });
});

test('values no version can describe are left for validation to refuse', () => {
  for (const value of [null, 'text', 42, [1], { schemaVersion: '2' }, { schemaVersion: 1.5 }]) {
    expect(migrateStored('run', value)).toEqual({ status: 'current', from: 2, value });
  }
  expect(migrateStored('run', { schemaVersion: 0 })).toMatchObject({ status: 'current' });
});

test('a run record without schemaVersion is invalid, not version 1 (0.1.0 always wrote one)', () => {
  expect(migrateStored('run', { runId: 'r' })).toEqual({
    status: 'invalid',
    reason: 'a run record without schemaVersion',
  });
});

test('only plain objects are migrated: an array or an undecodable value is never spread into one', () => {
  const undecodable = new UndecodableValue('{"identity":', 'Unexpected end of JSON input');
  for (const kind of ['lease', 'quarantine'] as const) {
    for (const value of [undecodable, [{ identity: {} }], new Date(0)]) {
      const migrated = migrateStored(kind, value);
      expect(migrated).toEqual({ status: 'current', from: 2, value });
      expect((migrated as { value: unknown }).value).toBe(value);
    }
  }
  // Still one: a value JSON decodes with a null prototype.
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { reason: 'r' });
  expect(migrateStored('quarantine', bare)).toMatchObject({ status: 'current', from: 1 });
});
