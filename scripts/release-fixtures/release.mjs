// Loads one built release of runwarden and the store modules it was built against, always
// from the release's own dependency tree (never from this checkout), so that the records are
// written and read by that release's code and that release's Keyv, SQLite and codec.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Finds `<dir>/node_modules/<name>` walking up from `from`, as Node's resolver does. */
function findPackageDir(from, name) {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} is not installed next to ${from}`);
  }
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

// The ESM entry a bare `import` of the package resolves to: the release's dist imports it
// the same way, so both get the same module instance (Keyv's `instanceof` checks hold).
function esmEntry(packageDir) {
  const manifest = readJson(join(packageDir, 'package.json'));
  let entry = manifest.exports?.['.']?.import ?? manifest.module ?? manifest.main ?? 'index.js';
  if (typeof entry === 'object') entry = entry.default;
  return join(packageDir, entry);
}

function versionOf(packageDir) {
  return readJson(join(packageDir, 'package.json')).version;
}

/** The commit the release was built from, and whether its tracked files differ from it. */
function gitState(root) {
  try {
    const git = (...args) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
    return {
      commit: git('rev-parse', 'HEAD').trim(),
      dirty: git('status', '--porcelain', '--untracked-files=no').trim() !== '',
    };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** Imports the release whose built `dist/` is `distDir`. */
export async function loadRelease(distDir) {
  const dist = resolve(distDir);
  const index = join(dist, 'index.js');
  if (!existsSync(index)) throw new Error(`${index} does not exist: build the release first`);
  const root = dirname(dist);
  const api = await import(pathToFileURL(index).href);
  const packages = {};
  for (const name of ['keyv', '@keyv/sqlite', 'sqlite3', 'xstate', 'node-pty', 'zod']) {
    packages[name] = versionOf(findPackageDir(dist, name));
  }
  const load = (name) => import(pathToFileURL(esmEntry(findPackageDir(dist, name))).href);
  const { default: Keyv } = await load('keyv');
  const { default: KeyvSqlite } = await load('@keyv/sqlite');
  const { createActor } = await load('xstate');
  return {
    dist,
    api,
    Keyv,
    KeyvSqlite,
    createActor,
    sqlite3: createRequire(index)('sqlite3'),
    version: readJson(join(root, 'package.json')).version,
    git: gitState(root),
    packages,
  };
}
