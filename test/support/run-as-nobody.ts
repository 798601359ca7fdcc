// Runs library code from dist/ as user nobody (uid 65534), in a home nobody owns: what a
// supervisor of an ordinary user meets on a shared machine, other users' processes it can
// neither read nor signal. Needs a checkout nobody can read (checked by `nobodyCanRunDist`).
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from './run-os-script.js';
import { createTempHome } from './temp-home.js';

const NOBODY = 65534;
const DIST = new URL('../../dist/index.js', import.meta.url).href;

/** Whether nobody can load dist/ (and its dependencies) from this checkout. */
export function nobodyCanRunDist(): boolean {
  const probe = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `await import('${DIST}')`],
    {
      uid: NOBODY,
      gid: NOBODY,
      stdio: 'ignore',
    },
  );
  return probe.status === 0;
}

/** A temporary home owned by nobody (0700). */
export function createNobodyHome(): { path: string; remove: () => void } {
  const home = createTempHome('runwarden-nobody-');
  chownSync(home.path, NOBODY, NOBODY);
  chmodSync(home.path, 0o700);
  return home;
}

/**
 * Runs `body` as an ES module as nobody. `rw` is `import * as rw from 'dist/index.js'`,
 * `INPUT` the given input; the body prints its result as one JSON line.
 */
export async function runDistAsNobody(body: string, input: unknown): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-nobody-script-'));
  try {
    const script = join(dir, 'main.mjs');
    writeFileSync(
      script,
      `import * as rw from '${DIST}';\nconst INPUT = JSON.parse(process.env.RW_INPUT);\n${body}\n`,
    );
    chmodSync(dir, 0o755);
    chmodSync(script, 0o644);
    return await runNode(script, dir, JSON.stringify(input), { killAfterMs: 60_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
