// Plain-data fixtures for pure machine tests.
import type { RunInput } from '../../src/machines/run-context.js';
import type { ProcessIdentity } from '../../src/os/process-identity.js';
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
