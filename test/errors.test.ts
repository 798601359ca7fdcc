// Errors never echo credentials, whatever option carried them.
import { expect, test } from 'vitest';
import { InvalidOptionError, redactCredentials } from '../src/errors.js';
import { createSupervisor } from '../src/index.js';

test('redacts URL passwords and password parameters', () => {
  expect(redactCredentials('postgres://admin:S3cret@db:5432/x?password=other&ssl=1')).toBe(
    'postgres://admin:***@db:5432/x?password=***&ssl=1',
  );
  expect(redactCredentials('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
});

test('an invalid store URL is reported without its password', async () => {
  const error: unknown = await createSupervisor({
    store: 'mysql://admin:S3cretPassw0rd@db/x',
  }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidOptionError);
  expect((error as Error).message).not.toContain('S3cretPassw0rd');
  expect((error as Error).message).toContain('mysql://admin:***@db/x');
});
