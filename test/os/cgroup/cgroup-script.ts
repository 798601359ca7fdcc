// Runs src/os/cgroup code in a separate node process: as user `nobody` (what an unprivileged
// user meets), or as a process that moves ITSELF (enterCgroup, moveToDaemonLeaf) without
// moving the test's worker. The modules are transpiled from the real sources; nothing is
// stubbed. Like test/support/run-os-script.ts, for the cgroup modules.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { prepareOsScript, runNode, type ScriptOptions } from '../../support/run-os-script.js';

const SOURCE_DIR = new URL('../../../src/', import.meta.url);
const CGROUP_MODULES = readdirSync(new URL('os/cgroup/', SOURCE_DIR))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `os/cgroup/${file.slice(0, -3)}`);
const MODULES = [...CGROUP_MODULES, 'os/random-hex', 'os/proc-fs', 'errors'];

/**
 * Runs `body` (an ES module in os/, importing `./cgroup/<module>.js`; its input is `INPUT`;
 * it prints one JSON line) and resolves what it printed. `place`, when given, starts the
 * node process (synchronously, as spawnInCgroup needs) and is handed the start function.
 */
export async function runCgroupScript(
  body: string,
  input: unknown,
  options: ScriptOptions & { place?: (start: () => Promise<unknown>) => Promise<unknown> } = {},
): Promise<unknown> {
  const dir = prepareOsScript(body, MODULES, 'runwarden-cgroup-script-');
  try {
    const start = () => runNode(join(dir, 'os', 'main.js'), dir, JSON.stringify(input), options);
    return await (options.place === undefined ? start() : options.place(start));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
