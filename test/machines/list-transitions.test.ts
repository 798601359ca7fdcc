import { expect, test } from 'vitest';
import { listTransitions } from '../../src/machines/list-transitions.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { supervisorMachine } from '../../src/machines/supervisor-machine.js';

test('lists every transition of the run machine with a unique key', () => {
  const transitions = listTransitions(runMachine);
  const keys = transitions.map((t) => t.key);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toContain('replacing --PREDECESSORS_DONE--> spawning');
  expect(keys).toContain('running --TICK[timeoutDue]--> finalizing');
  expect(keys).toContain('running --OUTPUT--> (self)');
  expect(keys).toContain('finalizing --always[finalizationComplete]--> done');
  expect(keys).toContain('orphaned --REATTACH[notFinalizing]--> running');
  const states = new Set(transitions.flatMap((t) => [t.source, ...t.targets]));
  expect([...states].sort()).toEqual(
    ['done', 'finalizing', 'idle', 'orphaned', 'replacing', 'running', 'spawning'].sort(),
  );
});

test('lists the supervisor machine too', () => {
  const keys = listTransitions(supervisorMachine).map((t) => t.key);
  expect(keys).toContain('active --SHUTDOWN--> draining');
  expect(keys).toContain('draining --always[drained]--> stopped');
});
