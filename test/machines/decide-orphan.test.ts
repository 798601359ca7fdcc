import { expect, test } from 'vitest';
import { decideOrphan, type OrphanFacts } from '../../src/machines/decide-orphan.js';

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
