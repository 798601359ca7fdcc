// Issue 15, defect 2: `boot()` called again on a live supervisor. It must be refused with a
// typed RunwardenError that says so, and change nothing: the runs it holds stay supervised
// (one can still be cancelled, its tree verified dead), the supervisor stays `active`, spawns
// still work and their records still reach the store. Real processes, a real SQLite store.
import { expect, test } from 'vitest';
import { createSupervisor, RunwardenError } from '../../../src/index.js';
import { checkIdentity } from '../../../src/os/process-identity.js';
import { liveMarked } from '../../support/process-checks.js';
import { createTempHome } from '../../support/temp-home.js';
import { waitUntil } from '../../support/wait-for.js';
import { storedRun, sweepHome, trackRunIds } from './defect-support.js';

const SLEEPER = { command: 'sleep', args: ['60'], killGraceMs: 500 };
const BOUND_MS = 10_000;

/** `promise`, or an Error naming `what` if it has not settled within a generous bound. */
async function within<T>(promise: Promise<T>, what: string): Promise<T | Error> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Error>((resolve) => {
    timer = setTimeout(() => {
      resolve(new Error(`${what} did not settle within ${BOUND_MS} ms`));
    }, BOUND_MS);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

test('a second boot() on a live supervisor is refused and changes nothing', async () => {
  const home = createTempHome();
  const ids = new Set<string>();
  const sup = await createSupervisor({ home: home.path, onOrphan: 'kill' });
  trackRunIds(sup, ids);
  try {
    const before = await sup.spawn(SLEEPER);
    const identity = before.info().identity;
    if (identity === null) throw new Error('the first run has no identity');

    const refused: unknown = await sup.boot().then(
      () => null,
      (error: unknown) => error,
    );
    expect.soft(refused, 'what the second boot() did').toBeInstanceOf(RunwardenError);
    expect.soft((refused as Error | null)?.message ?? '').toMatch(/boot/i);
    expect.soft(sup.state).toBe('active');
    expect.soft(sup.get(before.id)?.state).toMatch(/^(running|idle)$/);

    // The run started before is still supervised: cancelling it ends its whole tree.
    const exit = await sup.cancel(before.id);
    expect.soft(exit.reason, 'how the earlier run ended when cancelled').toBe('cancelled');
    expect.soft(exit.survivors).toEqual([]);
    expect.soft(checkIdentity(identity)).not.toBe('alive');
    expect.soft(liveMarked(before.id)).toEqual([]);

    // Spawns still work, and their records still reach the store (which is still open).
    const spawned = await within(
      sup.spawn(SLEEPER).then(
        (run) => run,
        (error: unknown) => error,
      ),
      'spawn() after the second boot()',
    );
    expect(spawned, 'a spawn after the second boot()').not.toBeInstanceOf(Error);
    const after = spawned as Awaited<ReturnType<typeof sup.spawn>>;
    expect.soft(sup.list().map((info) => info.id)).toContain(after.id);
    const pid = after.info().pid;
    const record = await waitUntil(
      async () => {
        const stored = await storedRun(home.path, 'default', after.id);
        return stored?.snapshot.context.pid === pid ? stored : null;
      },
      5000,
      'the new run record with its pid',
    ).catch(() => storedRun(home.path, 'default', after.id));
    expect.soft(record?.snapshot.context.pid, 'pid in the new run record').toBe(pid);
    expect.soft(await sup.cancel(after.id)).toMatchObject({ reason: 'cancelled', survivors: [] });
    expect.soft(liveMarked(after.id)).toEqual([]);

    // And the lease is still held: another supervisor on the same home is refused.
    const rival: unknown = await createSupervisor({ home: home.path }).then(
      async (other) => {
        await other.shutdown({ runs: 'leave' });
        return other;
      },
      (error: unknown) => error,
    );
    expect.soft(rival, 'a second supervisor on the same home').toBeInstanceOf(RunwardenError);
  } finally {
    await within(sup.shutdown(), 'shutdown()').catch(() => undefined);
    await sweepHome(home.path, 'default', ids);
    home.remove();
  }
}, 60_000);
