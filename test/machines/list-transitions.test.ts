import { expect, test } from 'vitest';
import { listTransitions } from '../../src/machines/list-transitions.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { storeHealthMachine } from '../../src/machines/store-health-machine.js';
import { supervisorMachine } from '../../src/machines/supervisor-machine.js';
import { groupMachine } from '../../src/machines/group-machine.js';
import { RUN_STATES } from '../support/run-states.js';

test.each([
  ['run', runMachine],
  ['supervisor', supervisorMachine],
  ['storeHealth', storeHealthMachine],
  ['group', groupMachine],
] as const)('every transition of the %s machine has a unique key', (_, machine) => {
  const keys = listTransitions(machine).map((t) => t.key);
  expect(keys.length).toBeGreaterThan(0);
  expect(new Set(keys).size).toBe(keys.length);
});

test('the run machine: its states, guards, invoked actors named after what they run', () => {
  const transitions = listTransitions(runMachine);
  const keys = transitions.map((t) => t.key);
  expect(keys).toContain('created --always[adopted]--> orphaned');
  expect(keys).toContain('recording --done.invoke.writeAhead[replacesScope]--> replacing');
  expect(keys).toContain('recording --error.invoke.writeAhead[firstGeneration]--> refused');
  expect(keys).toContain('recording --error.invoke.writeAhead--> ending');
  expect(keys).toContain('spawning --SPAWNED[releaseRequested]--> released');
  expect(keys).toContain('running --TICK--> running');
  expect(keys).toContain('running --OUTPUT--> (self)');
  expect(keys).toContain('finalizing --always[finalizationComplete]--> ending');
  expect(keys).toContain('ending --always[restartAllowed]--> backoff');
  expect(keys).toContain('backoff --RESTART_DUE[restartDue]--> recording');
  expect(keys).toContain('orphaned --ADOPT[orphanReattachable]--> running');
  expect(
    transitions.find((t) => t.key.startsWith('orphaned --ADOPT[orphanToKill]'))?.actions,
  ).toEqual(['recordOrphanKill', 'followAdopted']);
  const states = new Set(transitions.flatMap((t) => [t.source, ...t.targets]));
  expect([...states].sort()).toEqual([...RUN_STATES].sort());
});

test('the supervisor machine: nested states by path, the root by the machine id', () => {
  const keys = listTransitions(supervisorMachine).map((t) => t.key);
  expect(keys).toEqual([
    'supervisor --RUN_ENDED[isOwnRun]--> (self)',
    'supervisor --SPAWN_ADMITTED--> (self)',
    'supervisor --SPAWN_REFUSED--> (self)',
    'supervisor --GROUP_REFUSED--> (self)',
    'supervisor --GROUP_ENDED--> (self)',
    'supervisor --CANCEL_GROUP--> (self)',
    'supervisor --CHILD_HELD[childFailed]--> (self)',
    'supervisor --ADD_GROUP--> (self)',
    'supervisor --xstate.error.actor.*[isRunFailure]--> (self)',
    'supervisor --SPAWN--> (self)',
    'supervisor --REPLACE_PREDECESSORS--> (self)',
    'idle --BOOT--> open',
    'idle --SHUTDOWN--> closing',
    'open.booting --ADOPT_RUN--> (self)',
    'open.booting --ADD_GROUP--> (self)',
    'open.booting --RETAIN_RECORDS--> (self)',
    'open.booting --SHUTDOWN--> open.draining',
    'open.booting --done.invoke.boot--> open.active',
    'open.booting --error.invoke.boot--> open.failing',
    'open.active --SPAWN[groupMissing]--> (self)',
    'open.active --SPAWN[belowLiveLimit]--> (self)',
    'open.active --SPAWN--> (self)',
    'open.active --ADD_GROUP--> (self)',
    'open.active --SHUTDOWN--> open.draining',
    'open.draining --always[noLiveRuns]--> closing',
    'open.failing --always[noLiveRuns]--> closing',
    'closing --done.invoke.close--> stopped',
    'closing --error.invoke.close--> stopped',
  ]);
});

test('the store health machine', () => {
  const keys = listTransitions(storeHealthMachine).map((t) => t.key);
  expect(keys).toContain('ok --PROBE_FAILED--> degraded');
  expect(keys).toContain('degraded --always[healthy]--> ok');
  expect(keys).toContain('degraded --RUN_GONE--> (self)');
  expect(keys).toHaveLength(10);
});
