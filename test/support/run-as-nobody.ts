// Runs library code from dist/ as user nobody (uid 65534), in a home nobody owns: what a
// supervisor of an ordinary user meets on a shared machine, other users' processes it can
// neither read nor signal. A checkout nobody cannot read (a clone under /root) is served
// from a copy that nobody can read (`prepareDistForNobody`), so these tests never skip there.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runNode } from './run-os-script.js';
import type { Requirement } from './requirements.js';
import { createTempHome } from './temp-home.js';

const NOBODY = 65534;
const CHECKOUT = fileURLToPath(new URL('../../', import.meta.url));

/** Starting processes as nobody needs root (setuid) and a user 65534. */
export function nobodyUser(): Requirement {
  const root = process.getuid?.() === 0;
  const exists = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim() === '65534';
  return {
    what: 'user nobody (uid 65534), and root to start processes as that user',
    missing: !exists
      ? 'there is no user nobody with uid 65534'
      : root
        ? null
        : 'not running as root',
    howToGet: 'run the suite as root, as .ci/run does',
  };
}

/** The built library as nobody can load it. */
export interface NobodyDist {
  /** URL of the dist/ directory, ending in a slash. */
  readonly distUrl: string;
  /** Removes the copy, if one was made. */
  readonly remove: () => void;
}

function canImport(distUrl: string): boolean {
  const probe = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `await import('${distUrl}index.js')`],
    { uid: NOBODY, gid: NOBODY, stdio: 'ignore' },
  );
  return probe.status === 0;
}

/**
 * dist/ from the checkout when nobody can load it there; otherwise a copy of dist/,
 * package.json and node_modules (hard links where the file system allows, so it is quick)
 * under a new 0755 temporary directory. Throws if nobody can load neither.
 */
export function prepareDistForNobody(): NobodyDist {
  const own = pathToFileURL(join(CHECKOUT, 'dist/')).href;
  if (canImport(own)) return { distUrl: own, remove: () => undefined };
  const copy = mkdtempSync(join(tmpdir(), 'runwarden-nobody-dist-'));
  const remove = () => {
    rmSync(copy, { recursive: true, force: true });
  };
  try {
    chmodSync(copy, 0o755);
    cpSync(join(CHECKOUT, 'dist'), join(copy, 'dist'), { recursive: true });
    cpSync(join(CHECKOUT, 'package.json'), join(copy, 'package.json'));
    try {
      execFileSync('cp', ['-al', join(CHECKOUT, 'node_modules'), join(copy, 'node_modules')]);
    } catch {
      cpSync(join(CHECKOUT, 'node_modules'), join(copy, 'node_modules'), { recursive: true });
    }
    const distUrl = pathToFileURL(join(copy, 'dist/')).href;
    if (!canImport(distUrl)) throw new Error(`user nobody cannot load ${distUrl} either`);
    return { distUrl, remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** A temporary home owned by nobody (0700). */
export function createNobodyHome(): { path: string; remove: () => void } {
  const home = createTempHome('runwarden-nobody-');
  chownSync(home.path, NOBODY, NOBODY);
  chmodSync(home.path, 0o700);
  return home;
}

/**
 * Runs `body` as an ES module as nobody. `rw` is `import * as rw from '<dist>/index.js'`,
 * `INPUT` the given input (with `dist`, the dist/ URL, added); the body prints its result
 * as one JSON line.
 */
export async function runDistAsNobody(
  dist: NobodyDist,
  body: string,
  input: Record<string, unknown>,
): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-nobody-script-'));
  try {
    const script = join(dir, 'main.mjs');
    writeFileSync(
      script,
      `import * as rw from '${dist.distUrl}index.js';\nconst INPUT = JSON.parse(process.env.RW_INPUT);\n${body}\n`,
    );
    chmodSync(dir, 0o755);
    chmodSync(script, 0o644);
    return await runNode(script, dir, JSON.stringify({ ...input, dist: dist.distUrl }), {
      killAfterMs: 60_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
