// The suite's leak check itself (test/support/global-marker-check.ts), run for real: a child
// vitest runs a fixture suite with the same global teardown. A suite that leaks a marked
// process, or any other process carrying its tag, must exit non-zero, name the process, and
// leave it dead; a clean suite passes. What the child leaves carries the CHILD's suite tag,
// which this suite's own check never sees: afterEach ends it here, by verified identity.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { checkIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import type { LeakedProcess } from '../support/global-marker-check.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';
import {
  CHILD_TEST_TIMEOUT_MS,
  runChildVitest,
  stopChildVitests,
  type ChildVitest,
} from './child-vitest.js';

const CONFIG = 'test/fixtures/leak-suite/vitest.config.mjs';
// Every process of the child suite inherits this token (the leaked process's run id names
// it too): this test ends its own leftovers, never those of a run of it next door.
const TOKEN_VARIABLE = 'RW_LEAK_FIXTURE_TOKEN';
const token = randomUUID();

const dirs = createTempHome('runwarden-leak-check-');
afterAll(dirs.remove);

/** Every live process the child suites of this file left, found by the token. */
function leftovers() {
  const marked = findMarkedProcesses(RUN_MARKER).found.filter((p) =>
    p.value.startsWith(`leak-fixture-${token}-`),
  );
  const tokened = findMarkedProcesses(TOKEN_VARIABLE).found.filter((p) => p.value === token);
  return [...marked, ...tokened];
}

afterEach(async () => {
  stopChildVitests();
  // Should the child's teardown ever miss its leak, this test must not leak it in turn.
  for (const p of leftovers()) signalVerified(p.identity, 'SIGKILL');
  await waitUntil(() => leftovers().length === 0, 10_000, 'the child suites leftovers to die');
});

interface ChildSuite extends ChildVitest {
  readonly leaked: readonly LeakedProcess[];
}

async function runFixtureSuite(fixture: 'leaks' | 'leaks-unmarked' | 'clean'): Promise<ChildSuite> {
  const report = join(dirs.path, `${fixture}.json`);
  const result = await runChildVitest(CONFIG, {
    ...process.env,
    RW_LEAK_FIXTURE: fixture,
    RUNWARDEN_LEAK_REPORT: report,
    [TOKEN_VARIABLE]: token,
  });
  const { leaked } = JSON.parse(readFileSync(report, 'utf8')) as { leaked: LeakedProcess[] };
  return { ...result, leaked };
}

async function expectLeakReported(result: ChildSuite): Promise<LeakedProcess> {
  expect(result.signal).toBeNull();
  expect(result.leaked).toHaveLength(1);
  const [leak] = result.leaked;
  if (leak === undefined) throw new Error('no leak reported');
  expect(leak).toMatchObject({ command: 'sleep', ended: 'sent' });
  // Every test passed, yet the run failed: the exit status and the output say why.
  expect(result.output).toMatch(/Tests\s+.*1 passed/);
  expect(result.code).toBe(1);
  expect(result.output).toContain(`pid ${String(leak.pid)} (sleep, ${leak.marker}, ${leak.kind}`);
  await waitUntil(
    () => checkIdentity(leak.identity) !== 'alive',
    10_000,
    'the leaked process to die',
  );
  return leak;
}

test(
  'a suite that leaks a marked process fails, names it, and the process is ended',
  async () => {
    const leak = await expectLeakReported(await runFixtureSuite('leaks'));
    expect(leak.kind).toBe('run');
    expect(leak.marker).toMatch(new RegExp(`^${RUN_MARKER}=leak-fixture-${token}-\\d+$`));
  },
  CHILD_TEST_TIMEOUT_MS,
);

test(
  'a suite that leaks a process carrying only its tag fails the same way',
  async () => {
    const leak = await expectLeakReported(await runFixtureSuite('leaks-unmarked'));
    expect(leak.kind).toBe('suite-process');
    expect(leak.marker).toMatch(/^RUNWARDEN_TEST_SUITE=[0-9a-f-]{36}$/);
    // The child suite's own tag, not this suite's: a child run is judged by its own check.
    expect(leak.marker).not.toBe(
      `RUNWARDEN_TEST_SUITE=${String(process.env.RUNWARDEN_TEST_SUITE)}`,
    );
  },
  CHILD_TEST_TIMEOUT_MS,
);

test(
  'a suite that cleans up passes the same check',
  async () => {
    const result = await runFixtureSuite('clean');
    expect(result).toMatchObject({ code: 0, signal: null, leaked: [] });
  },
  CHILD_TEST_TIMEOUT_MS,
);
