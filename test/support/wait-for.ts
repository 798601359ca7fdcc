// Polling instead of fixed sleeps: waits for a condition with a generous bound, so tests
// never assert on speed and still fail (with a description) when something never happens.
import { setTimeout as sleep } from 'node:timers/promises';

/** Default bound: generous, since the machines running the suite are shared and noisy. */
export const WAIT_MS = 5000;

/**
 * Calls `probe` (sync or async) every `intervalMs` until it returns something other than
 * `undefined`, `null` or `false`, and returns that. Throws after `timeoutMs`.
 */
export async function waitUntil<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = WAIT_MS,
  what = 'a condition',
  intervalMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(intervalMs);
  }
}
