// A record is written at the lowest version that describes it: what a downgrade can read
// stays readable; a run that restarts needs version 2. Version 1 records come back whole.
import { expect, test } from 'vitest';
import { migrateStored } from '../../src/persistence/migrations/migrate-stored.js';
import { createRunRecord, recordVersionOf } from '../../src/persistence/run-record.js';
import { validateRunRecord } from '../../src/persistence/run-record-schema.js';
import { descriptor, storedContext } from '../support/run-fixtures.js';

const snapshot = (value: string, context = storedContext()) => ({
  status: 'active',
  value,
  context,
  children: {},
});

test('a run without a restart policy is written as version 1', () => {
  expect(recordVersionOf(snapshot('running'))).toBe(1);
  expect(recordVersionOf(snapshot('done'))).toBe(1);
});

test('a restart policy, a later generation or a backoff need version 2', () => {
  const restarting = storedContext({ descriptor: descriptor({ restart: 'on-failure' }) });
  expect(recordVersionOf(snapshot('running', restarting))).toBe(2);
  expect(recordVersionOf(snapshot('running', storedContext({ generation: 2 })))).toBe(2);
  expect(recordVersionOf(snapshot('backoff'))).toBe(2);
});

test('a version 1 record this code wrote comes back with every field it carried', () => {
  const context = storedContext({ runId: 'run-v1', outputBytes: 42 });
  const record = createRunRecord('default', 'run-v1', snapshot('running', context), false, 7);
  expect(record.schemaVersion).toBe(1);
  const migrated = migrateStored('run', JSON.parse(JSON.stringify(record)));
  if (migrated.status !== 'current') throw new Error(`not migrated: ${migrated.status}`);
  const valid = validateRunRecord(migrated.value, 'run-v1');
  if (!valid.ok) throw new Error(valid.reason);
  // `origin` is not stored: an adopted context is always of origin `record`.
  const { origin, ...stored } = context;
  expect(origin).toBe('spawn');
  expect(valid.record.snapshot.context).toEqual(JSON.parse(JSON.stringify(stored)));
});
