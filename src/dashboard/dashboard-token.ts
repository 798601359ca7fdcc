// The dashboard's bearer token: random per daemon start, printed once, kept in a 0600 file
// in the (0700) home so the owner can find it again, and compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the token of supervisor `name` is kept. */
export function dashboardTokenPath(home: string, name: string): string {
  return join(home, `${name}.dashboard-token`);
}

/** Creates a new token and writes it, mode 0600, replacing any earlier one. */
export function issueDashboardToken(home: string, name: string): { token: string; path: string } {
  const token = randomBytes(32).toString('base64url');
  const path = dashboardTokenPath(home, name);
  // Removed first: `mode` applies only to a file being created, and `wx` refuses to follow
  // anything planted in its place.
  rmSync(path, { force: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, path };
}

/** Deletes the token file (the token dies with the daemon anyway). */
export function removeDashboardToken(path: string): void {
  rmSync(path, { force: true });
}

/** True when `given` is the token. Hashing first makes the comparison length-independent. */
export function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
