// Runs src/os code in a separate node process, by default as user `nobody`, to reach what
// root never sees: environments that cannot be read (EACCES) and signals the kernel refuses
// (EPERM). Also used to run code that might hang, under a kill guard. The modules are
// transpiled from the real sources into a temporary directory; nothing is stubbed.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';

const NOBODY = 65534;
// The src/os modules the scripts use, and what they import: each other, src/errors.ts and
// node builtins. They keep their layout (os/ beside errors.js) so relative imports resolve.
const MODULES = [
  'os/proc-fs',
  'os/process-table',
  'os/procfs-table',
  'os/ps-table',
  'os/this-host',
  'os/process-identity',
  'os/signal-verified',
  'os/collect-run-tree',
  'os/terminate-run-tree',
  'os/termination-loop',
  'os/cgroup/wait-cgroup',
  'os/cgroup/cgroup-files',
  'os/cgroup/end-run-cgroup',
  'os/cgroup/own-cgroup',
  'os/cgroup/mount-info',
  'errors',
];
const SOURCE_DIR = new URL('../../src/', import.meta.url);

export interface ScriptOptions {
  /** Run as uid/gid 65534 (default true); false: as the current user. */
  readonly asNobody?: boolean;
  /** SIGKILL the script after this long (a hang guard, not a speed check). Default 20 s. */
  readonly killAfterMs?: number;
}

/**
 * Runs `body` as an ES module in a fresh node process. It can import `./proc-fs.js`,
 * `./process-identity.js`, `./signal-verified.js`, `./collect-run-tree.js` and
 * `./terminate-run-tree.js`, finds the test's input as `INPUT`, and must print its result
 * as one JSON line. Resolves that result; rejects if the script fails or is killed.
 */
export async function runOsScript(
  body: string,
  input: unknown,
  options: ScriptOptions = {},
): Promise<unknown> {
  const dir = prepareOsScript(body, MODULES, 'runwarden-os-script-');
  try {
    return await runNode(join(dir, 'os', 'main.js'), dir, JSON.stringify(input), options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes `modules` (paths under src/, without `.ts`) transpiled from the real sources into a
 * new directory, keeping their layout so relative imports resolve, and `body` as os/main.js
 * (its input is `INPUT`); every directory is readable by nobody. Returns the directory.
 */
export function prepareOsScript(body: string, modules: readonly string[], prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'os', 'cgroup'), { recursive: true });
  for (const name of modules) {
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

/** Runs one node script (as nobody by default) and resolves the JSON line it printed. */
export async function runNode(
  script: string,
  cwd: string,
  input: string,
  options: ScriptOptions,
): Promise<unknown> {
  const asNobody = options.asNobody ?? true;
  const child = spawn(process.execPath, [script], {
    cwd,
    ...(asNobody ? { uid: NOBODY, gid: NOBODY } : {}),
    // A bare environment, but for the suite's tag: whatever the script starts (a run, a run
    // host) is still found by the suite's leak check (test/support/global-marker-check.ts).
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      RW_INPUT: input,
      RUNWARDEN_TEST_SUITE: process.env.RUNWARDEN_TEST_SUITE,
      RUNWARDEN_HOST_LINGER_MS: process.env.RUNWARDEN_HOST_LINGER_MS,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Our own child, not yet reaped while this timer can fire: its pid is safe to signal.
  const guard = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 20_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, exitSignal) => {
        resolve([exitCode, exitSignal]);
      });
    },
  ).finally(() => {
    clearTimeout(guard);
  });
  if (signal !== null) throw new Error(`os script killed by ${signal} (hang guard?): ${stderr}`);
  if (code !== 0) throw new Error(`os script exited with ${String(code)}: ${stderr}`);
  return JSON.parse(stdout) as unknown;
}
