import { createActor } from 'xstate';
import { expect, test } from 'vitest';
import { decideOrphan, type OrphanFacts } from '../../src/machines/decide-orphan.js';
import { spyEffects } from '../support/model-spies.js';
import { fakeIdentity, storedContext } from '../support/run-fixtures.js';

const base: OrphanFacts = {
  fromEarlierBoot: false,
  rootCheck: 'alive',
  markedProcesses: 1,
  wasFinalizing: false,
  hosted: false,
  policy: 'kill',
};

test.each([
  [{}, 'kill'],
  [{ policy: 'reattach' }, 'reattach'],
  [{ policy: 'reattach', wasFinalizing: true }, 'kill'],
  [{ fromEarlierBoot: true }, 'lost'],
  [{ fromEarlierBoot: true, policy: 'reattach' }, 'lost'],
  [{ rootCheck: 'uncertain' }, 'uncertain'],
  [{ rootCheck: 'exited', markedProcesses: 0 }, 'lost'],
  [{ rootCheck: 'exited', markedProcesses: 2 }, 'kill'],
  [{ rootCheck: 'exited', markedProcesses: 2, policy: 'reattach' }, 'kill'],
  [{ rootCheck: 'replaced', markedProcesses: 0 }, 'lost'],
  [{ rootCheck: 'replaced', markedProcesses: 1, policy: 'reattach' }, 'kill'],
  [{ rootCheck: null, markedProcesses: 0, policy: 'reattach' }, 'lost'],
  [{ rootCheck: null, markedProcesses: 3 }, 'kill'],
  [{ rootCheck: null, markedProcesses: 3, policy: 'reattach' }, 'reattach'],
  [{ rootCheck: null, markedProcesses: 3, policy: 'reattach', wasFinalizing: true }, 'kill'],
  // A run host still holding a durable run reports its output and end, even after it ended.
  [{ hosted: true, rootCheck: 'exited', markedProcesses: 0, policy: 'reattach' }, 'reattach'],
  [{ hosted: true, rootCheck: 'alive', policy: 'reattach' }, 'reattach'],
  [{ hosted: true, rootCheck: 'alive', policy: 'kill' }, 'kill'],
  [{ hosted: true, policy: 'reattach', wasFinalizing: true }, 'kill'],
  [{ hosted: true, fromEarlierBoot: true, policy: 'reattach' }, 'lost'],
] as const)('%o -> %s', (facts, decision) => {
  expect(decideOrphan({ ...base, ...facts })).toBe(decision);
});

// The run machine decides an adopted record through guards over the same facts: every
// combination of facts takes the transition `decideOrphan` names (none when uncertain).
test('the run machine guards agree with decideOrphan on every combination of facts', () => {
  const target = { reattach: 'running', kill: 'finalizing', lost: 'done', uncertain: 'orphaned' };
  const spies = spyEffects();
  let checked = 0;
  for (const fromEarlierBoot of [false, true])
    for (const rootCheck of ['alive', 'exited', 'replaced', 'uncertain', null] as const)
      for (const markedProcesses of [0, 2])
        for (const wasFinalizing of [false, true])
          for (const hosted of [false, true])
            for (const policy of ['kill', 'reattach'] as const) {
              const facts = {
                fromEarlierBoot,
                rootCheck,
                markedProcesses,
                wasFinalizing,
                hosted,
                policy,
              };
              const actor = createActor(spies.run, { input: { record: storedContext() } });
              actor.start();
              actor.send({ type: 'ADOPT', facts, root: fakeIdentity, at: 1 });
              expect(actor.getSnapshot().value, JSON.stringify(facts)).toBe(
                target[decideOrphan(facts)],
              );
              actor.stop();
              checked++;
            }
  expect(checked).toBe(160);
});
