// Runs src/os/cgroup code in a separate node process: as user `nobody` (what an unprivileged
// user meets), or as a process that moves ITSELF (enterCgroup, moveToDaemonLeaf) without
// moving the test's worker. The modules are transpiled from the real sources; nothing is
// stubbed. Like test/support/run-os-script.ts, for the cgroup modules.
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { runNode, type ScriptOptions } from '../../support/run-os-script.js';

const SOURCE_DIR = new URL('../../../src/', import.meta.url);
const CGROUP_MODULES = readdirSync(new URL('os/cgroup/', SOURCE_DIR))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => `os/cgroup/${file.slice(0, -3)}`);
const MODULES = [...CGROUP_MODULES, 'os/random-hex', 'errors'];

/** Writes the transpiled modules to a new directory (layout kept) and the body as os/main.js. */
function prepare(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'runwarden-cgroup-script-'));
  mkdirSync(join(dir, 'os', 'cgroup'), { recursive: true });
  for (const name of MODULES) {
    const source = readFileSync(new URL(`${name}.ts`, SOURCE_DIR), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(dir, `${name}.js`), outputText);
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(
    join(dir, 'os', 'main.js'),
    `const INPUT = JSON.parse(process.env.RW_INPUT);\n${body}\n`,
  );
  for (const sub of ['', 'os', 'os/cgroup']) chmodSync(join(dir, sub), 0o755);
  return dir;
}

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
  const dir = prepare(body);
  try {
    const start = () => runNode(join(dir, 'os', 'main.js'), dir, JSON.stringify(input), options);
    return await (options.place === undefined ? start() : options.place(start));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
