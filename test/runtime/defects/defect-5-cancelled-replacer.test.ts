// Issue 15, defect 5: a replacing run that is cancelled must not go on finalizing its
// predecessors. Scope S holds P1 (running) and P2 (a durable run, still being launched).
// C arrives with `replaceExistingScope` and is cancelled the moment it exists, in
// `replacing`. No predecessor that had not been sent its cancel by then may end `replaced`
// because of C: P2, once launched, keeps running. Sequenced by the supervisor's events, no
// sleeps. Real processes, a real SQLite store, a real run host.
import { setImmediate as turn } from 'node:timers/promises';
import { expect, test } from 'vitest';
import {
  createSupervisor,
  type RunExit,
  type RunHandle,
  type SupervisorEvent,
} from '../../../src/index.js';
import { liveMarked } from '../../support/process-checks.js';
import { waitRunHostGone } from '../../support/run-hosts.js';
import { createTempHome } from '../../support/temp-home.js';
import { sweepHome, trackRunIds } from './defect-support.js';

const SCOPE = 'defect-5/scope';
const LIVE = ['spawning', 'running', 'idle'];

test('a replacer cancelled in `replacing` finalizes no predecessor it had not cancelled yet', async () => {
  const home = createTempHome();
  const ids = new Set<string>();
  const sup = await createSupervisor({ home: home.path, onOrphan: 'kill' });
  trackRunIds(sup, ids);
  const events: SupervisorEvent[] = [];
  sup.onEvent((event) => events.push(event));
  try {
    const p1 = await sup.spawn({ command: 'sleep', args: ['60'], scopeKey: SCOPE });
    expect(p1.state).toMatch(/^(running|idle)$/);

    // P2 enters `spawning`; right then C arrives to replace the scope; and the moment C
    // exists (its first state), it is cancelled. What each predecessor was doing
    // at that moment is noted: one already sent its cancel has left its live state.
    const seen: {
      p2Id: string | null;
      cId: string | null;
      cFirstState: string | null;
      cSpawn: Promise<RunHandle> | null;
      cCancel: Promise<RunExit> | null;
    } = { p2Id: null, cId: null, cFirstState: null, cSpawn: null, cCancel: null };
    const atCancel = new Map<string, string | undefined>();
    const stop = sup.onEvent((event) => {
      if (event.type !== 'run.state') return;
      if (seen.p2Id === null && event.to === 'spawning' && event.runId !== p1.id) {
        seen.p2Id = event.runId;
        seen.cSpawn = sup.spawn({
          command: 'sleep',
          args: ['60'],
          scopeKey: SCOPE,
          replaceExistingScope: true,
        });
      } else if (seen.cId === null && seen.p2Id !== null && event.runId !== seen.p2Id) {
        seen.cId = event.runId;
        seen.cFirstState = event.to;
        for (const id of [p1.id, seen.p2Id]) atCancel.set(id, sup.get(id)?.state);
        seen.cCancel = sup.cancel(event.runId);
      }
    });
    const p2 = await sup.spawn({
      durable: true,
      command: 'sleep',
      args: ['60'],
      scopeKey: SCOPE,
      killGraceMs: 500,
    });
    stop();
    const { cSpawn, cCancel } = seen;
    if (cSpawn === null || cCancel === null) {
      throw new Error('the replacer never arrived while P2 was being launched');
    }
    expect(seen.p2Id).toBe(p2.id);
    // C's first state stores its write-ahead record; it asks for its predecessors to be
    // cancelled only once that record is durable (then all at once, in one transition).
    expect(seen.cFirstState).toBe('recording');
    const c: RunHandle = await cSpawn;
    const cExit: RunExit = await cCancel;
    expect(cExit.reason).toBe('cancelled');
    expect(await c.exited).toMatchObject({ reason: 'cancelled' });
    expect(liveMarked(c.id)).toEqual([]);

    // Whatever C's effects were still going to do was due right after P2's launch settled:
    // one turn of the event loop later, every predecessor untouched by then must still run.
    await turn();
    const label = (id: string) => `${id === p1.id ? 'P1' : 'P2'} (${id})`;
    const untouched = [...atCancel].filter(([, state]) => LIVE.includes(state ?? ''));
    expect(
      untouched.map(([id]) => id),
      'predecessors not yet cancelled when C was',
    ).toContain(p2.id);
    for (const [id] of untouched) {
      const finalized = events.filter(
        (e) => e.type === 'run.state' && e.runId === id && e.to === 'finalizing',
      );
      expect.soft(finalized, `${label(id)} finalized after C was cancelled`).toEqual([]);
      expect.soft(sup.get(id)?.state, `state of ${label(id)}`).toMatch(/^(running|idle)$/);
    }

    // Ended by the test: each untouched predecessor ends as cancelled, never as replaced.
    for (const [id] of untouched) {
      const exit = await sup.cancel(id);
      expect.soft(exit.reason, `how ${label(id)} ended`).toBe('cancelled');
      expect.soft(exit.survivors).toEqual([]);
      expect(liveMarked(id)).toEqual([]);
    }
    for (const run of [p1, p2]) {
      if (run.state !== 'done') await run.cancel();
      expect(liveMarked(run.id)).toEqual([]);
    }
    await sup.shutdown();
    await waitRunHostGone(home.path);
  } finally {
    await sup.shutdown();
    await sweepHome(home.path, 'default', ids);
    home.remove();
  }
}, 60_000);
