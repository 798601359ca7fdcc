// What a test needs from the machine: a service, a tool, a user. In CI (CI=true) a missing
// requirement FAILS every test that needs it, naming what is missing and how to get it, so
// a broken install can never pass as a green run of fewer tests. Elsewhere those tests are
// skipped, and the skip says loudly what was skipped and how to get it.
import { test, type TestAPI } from 'vitest';

export interface Requirement {
  /** What is needed, as a person would name it: "redis-server", "tmux", "user nobody". */
  readonly what: string;
  /** Why it is missing, or null when it is there. */
  readonly missing: string | null;
  /** How to get it, in one line. */
  readonly howToGet: string;
}

/** Raised by a test whose requirement is missing in CI. */
export class MissingRequirementError extends Error {
  override readonly name = 'MissingRequirementError';
}

/** True when running in CI (`CI` set to anything but "", "0" or "false"), as CI services set it. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

/** One line naming each missing requirement and how to get it. */
export function describeMissing(requirements: readonly Requirement[]): string {
  return requirements
    .filter((r) => r.missing !== null)
    .map((r) => `${r.what} (${String(r.missing)}; ${r.howToGet})`)
    .join('; ');
}

/**
 * The `test` to declare tests that need `requirements`: vitest's own `test` when all are
 * there; in CI, a `test` whose every test fails at once with a MissingRequirementError;
 * elsewhere `test.skip`, after a loud warning.
 */
export function testNeeding(...requirements: Requirement[]): TestAPI {
  const missing = describeMissing(requirements);
  if (missing === '') return test;
  if (inCi()) {
    // An automatic fixture runs before each test's body, so the failure names the cause.
    return test.extend<{ requirementsMet: undefined }>({
      requirementsMet: [
        // vitest reads a fixture's dependencies from its first parameter's pattern; it needs none.
        // eslint-disable-next-line no-empty-pattern, @typescript-eslint/no-unused-vars
        ({}, _use) => Promise.reject(new MissingRequirementError(`missing in CI: ${missing}`)),
        { auto: true },
      ],
    });
  }
  console.warn(`[requirements] SKIPPING tests that need ${missing}`);
  return test.skip as unknown as TestAPI;
}
