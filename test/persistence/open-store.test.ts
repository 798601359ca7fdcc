// The default store: an SQLite file in a private home directory.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterEach, expect, test } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { ensurePrivateDir, resolveHome } from '../../src/persistence/home-dir.js';
import { openStore } from '../../src/persistence/open-store.js';
import { RecordStore } from '../../src/persistence/record-store.js';
import { createTempHome } from '../support/temp-home.js';

const homes: Array<() => void> = [];
afterEach(() => {
  for (const remove of homes.splice(0)) remove();
});
function tempHome(): string {
  const home = createTempHome();
  homes.push(home.remove);
  return home.path;
}
const mode = (path: string) => statSync(path).mode & 0o777;

test('the home directory is created 0700 (and tightened if it exists)', () => {
  const base = tempHome();
  const dir = join(base, 'state', 'runwarden');
  ensurePrivateDir(dir);
  expect(mode(dir)).toBe(0o700);
  ensurePrivateDir(base); // mkdtemp made it 0700 already; loosen and re-check
  writeFileSync(join(base, 'x'), '');
  expect(mode(base)).toBe(0o700);
});

test('home resolution: option, RUNWARDEN_HOME, XDG_STATE_HOME, then ~/.local/state', () => {
  expect(resolveHome('/opt/rw', {})).toBe('/opt/rw');
  expect(resolveHome(undefined, { RUNWARDEN_HOME: '/srv/rw', XDG_STATE_HOME: '/x' })).toBe(
    '/srv/rw',
  );
  expect(resolveHome(undefined, { XDG_STATE_HOME: '/x' })).toBe('/x/runwarden');
  expect(resolveHome(undefined, {})).toMatch(/\/\.local\/state\/runwarden$/);
});

test('the default SQLite database and its WAL files are 0600', async () => {
  const home = tempHome();
  const opened = await openStore(undefined, home);
  await new RecordStore(opened.keyv, 'default', () => 1).write('r', { status: 'active' }, false);
  for (const file of ['runwarden.sqlite', 'runwarden.sqlite-wal', 'runwarden.sqlite-shm']) {
    expect(mode(join(home, file)), file).toBe(0o600);
  }
  await opened.close();
  expect(opened.location).toBe(`sqlite://${join(home, 'runwarden.sqlite')}`);
});

test('an existing SQLite file is made private, never loosened', async () => {
  const home = tempHome();
  const shared = join(home, 'shared.sqlite');
  writeFileSync(shared, '', { mode: 0o644 });
  await (await openStore(`sqlite://${shared}`, home)).close();
  expect(mode(shared)).toBe(0o600);
  // Its owner made it read-only: it stays so (root may still write it; an ordinary owner
  // gets a StoreError naming it read-only).
  const readOnly = join(home, 'read-only.sqlite');
  writeFileSync(readOnly, '', { mode: 0o400 });
  await (await openStore(`sqlite://${readOnly}`, home)).close();
  expect(mode(readOnly)).toBe(0o400);
});

test('a corrupt SQLite file is a typed StoreError at open', async () => {
  const home = tempHome();
  const file = join(home, 'bad.sqlite');
  writeFileSync(file, 'this is not a database, '.repeat(100));
  await expect(openStore(`sqlite://${file}`, home)).rejects.toBeInstanceOf(StoreError);
});

test('unknown store URLs and values are rejected naming the option', async () => {
  const home = tempHome();
  await expect(openStore('mysql://x', home)).rejects.toMatchObject({ option: 'store' });
  await expect(openStore(42 as never, home)).rejects.toMatchObject({ option: 'store' });
});

test('a caller-supplied Keyv is used as is and left open', async () => {
  const keyv = new Keyv();
  const opened = await openStore(keyv, tempHome());
  expect(opened.keyv).toBe(keyv);
  await opened.close();
  await keyv.set('still', 'open');
  expect(await keyv.get('still')).toBe('open');
});

test('a caller-supplied Keyv with a default ttl is refused: records must never expire', async () => {
  await expect(openStore(new Keyv({ ttl: 1000 }), tempHome())).rejects.toMatchObject({
    option: 'store',
  });
});
