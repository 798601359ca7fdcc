import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import {
  dashboardTokenPath,
  issueDashboardToken,
  removeDashboardToken,
  tokenMatches,
} from '../../src/dashboard/dashboard-token.js';
import { createTempHome } from '../support/temp-home.js';

const homes: Array<() => void> = [];
afterEach(() => {
  for (const remove of homes.splice(0)) remove();
});

test('a new random token per start, in a 0600 file of the home, removed on stop', () => {
  const home = createTempHome('runwarden-token-');
  homes.push(home.remove);
  const path = dashboardTokenPath(home.path, 'default');
  // A file left with loose permissions is replaced, not reused.
  writeFileSync(path, 'old\n', { mode: 0o644 });
  const first = issueDashboardToken(home.path, 'default');
  expect(first.path).toBe(path);
  expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(readFileSync(path, 'utf8')).toBe(`${first.token}\n`);
  expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
  const second = issueDashboardToken(home.path, 'default');
  expect(second.token).not.toBe(first.token);
  removeDashboardToken(path);
  expect(() => statSync(path)).toThrow();
});

test('tokens compare whole, whatever their length', () => {
  expect(tokenMatches('secret-token', 'secret-token')).toBe(true);
  expect(tokenMatches('secret-tokeN', 'secret-token')).toBe(false);
  expect(tokenMatches('secret', 'secret-token')).toBe(false);
  expect(tokenMatches('', 'secret-token')).toBe(false);
  expect(tokenMatches(null, 'secret-token')).toBe(false);
});
