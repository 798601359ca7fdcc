// What every test of the built CLI shares: dist/ must be fresh, cleanups run after each
// test (the last registered first, so a daemon stops before its home is removed), and each
// test gets private homes.
import { afterEach, beforeAll } from 'vitest';
import { assertFreshBuild } from './crash-host.js';
import { createTempHome } from './temp-home.js';

export interface BuiltCliTest {
  /** Run after each test, last first. */
  readonly cleanups: Array<() => unknown>;
  /** A new private home, removed after the test. */
  readonly tempHome: () => string;
}

/** Registers the hooks; call once at the top of a test file. */
export function useBuiltCli(homePrefix: string): BuiltCliTest {
  beforeAll(() => {
    assertFreshBuild();
  });
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    // Every cleanup runs even if one fails (a daemon that crashed must not leave the next
    // one running); the failures are reported together.
    const failures: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, 'cleanups failed');
  });
  const tempHome = () => {
    const home = createTempHome(homePrefix);
    cleanups.push(home.remove);
    return home.path;
  };
  return { cleanups, tempHome };
}
