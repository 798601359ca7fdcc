// Plain-data fixtures for pure machine tests.
import type { OrphanFacts } from '../../src/machines/decide-orphan.js';
import {
  initialRunContext,
  type RunContext,
  type RunInput,
} from '../../src/machines/run-context.js';
import { deadlinesAtStart } from '../../src/machines/run-deadlines.js';
import type { ProcessIdentity } from '../../src/os/process-identity.js';
import { RESTART_DEFAULTS } from '../../src/support/limits.js';
import type { RunDescriptor } from '../../src/types.js';

/** A descriptor with every field set; override what a test cares about. */
export function descriptor(overrides: Partial<RunDescriptor> = {}): RunDescriptor {
  return {
    mode: 'child',
    command: 'true',
    args: [],
    shell: null,
    cwd: '/',
    env: {},
    extendEnv: true,
    cols: 80,
    rows: 24,
    stdin: 'pipe',
    scopeKey: null,
    replaceExistingScope: false,
    sessionId: null,
    ownerId: null,
    backendId: null,
    timeoutMs: 10_000,
    noOutputTimeoutMs: 5_000,
    idleAfterMs: 1_000,
    killGraceMs: 100,
    maxOutputBytes: 4096,
    onOrphan: 'kill',
    durable: false,
    maxLogBytes: 64 * 1024,
    ...RESTART_DEFAULTS,
    group: null,
    ...overrides,
  };
}

/** Input of a run created at t=0. */
export function runInput(overrides: Partial<RunDescriptor> = {}): RunInput {
  return { runId: 'run-test', descriptor: descriptor(overrides), createdAt: 0 };
}

/** A made-up identity: pure tests never touch real processes. */
export const fakeIdentity: ProcessIdentity = {
  hostname: 'test-host',
  bootId: 'boot-1',
  pid: 4242,
  startTicks: 99,
  pgid: 4242,
  sid: 4242,
};

/** Boot's facts about an orphan: a live, verified root of a run not being finalized. */
export function orphanFacts(overrides: Partial<OrphanFacts> = {}): OrphanFacts {
  return {
    fromEarlierBoot: false,
    rootCheck: 'alive',
    markedProcesses: 1,
    wasFinalizing: false,
    hosted: false,
    policy: 'kill',
    ...overrides,
  };
}

/** The facts that lead to each of the run machine's orphan decisions. */
export const FACTS_FOR = {
  reattach: orphanFacts({ policy: 'reattach' }),
  kill: orphanFacts(),
  lost: orphanFacts({ rootCheck: 'exited', markedProcesses: 0 }),
  uncertain: orphanFacts({ rootCheck: 'uncertain' }),
} as const;

/**
 * The context a stored record of a run spawned at `startedAt` holds (what boot adopts), as
 * the run machine left it: its identity known, no end yet unless `overrides` say so.
 */
export function storedContext(overrides: Partial<RunContext> = {}): RunContext {
  const base = initialRunContext(runInput());
  return {
    ...base,
    pid: fakeIdentity.pid,
    identity: fakeIdentity,
    startedAt: 100,
    deadlines: deadlinesAtStart(base.descriptor, 100),
    ...overrides,
  };
}
