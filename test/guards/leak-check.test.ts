// The suite's leak check itself (test/support/global-marker-check.ts), run for real: a child
// vitest runs a fixture suite with the same global teardown. A suite that leaks a marked
// process must exit non-zero, name the process, and leave it dead; a clean suite passes.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { checkIdentity, type ProcessIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import type { LeakedProcess } from '../support/global-marker-check.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const CONFIG = 'test/fixtures/leak-suite/vitest.config.mjs';

const dirs = createTempHome('runwarden-leak-check-');
const identities: ProcessIdentity[] = [];
afterEach(() => {
  // Should the child's teardown ever miss its leak, this test must not leak it in turn.
  for (const identity of identities.splice(0)) signalVerified(identity, 'SIGKILL');
});

interface ChildSuite {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
  readonly leaked: readonly LeakedProcess[];
}

async function runFixtureSuite(fixture: 'leaks' | 'clean'): Promise<ChildSuite> {
  const report = join(dirs.path, `${fixture}.json`);
  const child = spawn(process.execPath, [VITEST, 'run', '--config', CONFIG], {
    cwd: ROOT,
    env: { ...process.env, RW_LEAK_FIXTURE: fixture, RUNWARDEN_LEAK_REPORT: report },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  const { leaked } = JSON.parse(readFileSync(report, 'utf8')) as { leaked: LeakedProcess[] };
  return { code, signal, output, leaked };
}

test('a suite that leaks a marked process fails, names it, and the process is ended', async () => {
  const result = await runFixtureSuite('leaks');
  expect(result.signal).toBeNull();
  expect(result.leaked).toHaveLength(1);
  const [leak] = result.leaked;
  if (leak === undefined) throw new Error('no leak reported');
  identities.push(leak.identity);
  expect(leak).toMatchObject({ command: 'sleep', ended: 'sent' });
  expect(leak.marker).toMatch(/^RUNWARDEN_RUN_ID=leak-fixture-\d+$/);
  // Every test passed, yet the run failed: the exit status and the output say why.
  expect(result.output).toMatch(/Tests\s+.*1 passed/);
  expect(result.code).toBe(1);
  expect(result.output).toContain(`pid ${String(leak.pid)} (sleep, ${leak.marker}`);
  await waitUntil(
    () => checkIdentity(leak.identity) !== 'alive',
    10_000,
    'the leaked process to die',
  );
}, 60_000);

test('a suite that cleans up passes the same check', async () => {
  const result = await runFixtureSuite('clean');
  expect(result).toMatchObject({ code: 0, signal: null, leaked: [] });
}, 60_000);
