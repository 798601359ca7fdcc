// A caller may act on the supervisor from inside its own event listeners (a restart policy
// will): the machine answers every spawn, whenever it gets to process it.
import { expect, test } from 'vitest';
import type { RunHandle } from '../../src/index.js';
import { liveMarked } from '../support/process-checks.js';
import { useSupervisors } from '../support/supervisor-harness.js';

const supervisors = useSupervisors();

test('spawn() from a run.finalized listener starts the run', async () => {
  const sup = await supervisors();
  let next: Promise<RunHandle> | null = null;
  sup.onEvent((event) => {
    if (event.type === 'run.finalized' && next === null) {
      next = sup.spawn({ command: 'sleep', args: ['30'] });
    }
  });
  const first = await sup.spawn({ command: 'true' });
  await first.exited;
  expect(next).not.toBeNull();
  const second = await (next as unknown as Promise<RunHandle>);
  expect(second.state).toMatch(/^(running|idle)$/);
  expect(sup.tree().children.map((child) => child.id)).toEqual([second.id]);
  await second.cancel();
  expect(liveMarked(second.id)).toEqual([]);
});

test('spawn() after shutdown is refused with SupervisorStoppedError, and nothing starts', async () => {
  const sup = await supervisors();
  await sup.shutdown();
  await expect(sup.spawn({ command: 'sleep', args: ['30'] })).rejects.toMatchObject({
    code: 'E_SUPERVISOR_STOPPED',
  });
});
