// sup.spawn against random specs, generated with fast-check, with real processes: each
// spawn resolves with a tracked run or throws an InvalidOptionError, in which case no run
// and no process exists for it. The supervisor keeps serving throughout.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSupervisor, InvalidOptionError, type Supervisor } from '../../src/index.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { readEnvironValue } from '../../src/os/proc-fs.js';
import { waitRunHostGone } from '../support/run-hosts.js';
import { anySpec, harmless } from '../support/spec-arbitraries.js';
import { createTempHome } from '../support/temp-home.js';
import { waitUntil } from '../support/wait-for.js';

// Every run carries RUNWARDEN_SUPERVISOR=<name>, even with extendEnv: false: a name of
// its own tells this file's processes from any other's.
const NAME = `spawn-fuzz-${randomUUID().slice(0, 8)}`;
let home: { path: string; remove: () => void };
let sup: Supervisor;

beforeAll(async () => {
  home = createTempHome();
  sup = await createSupervisor({ home: home.path, name: NAME });
});
afterAll(async () => {
  await sup.shutdown();
  await waitUntil(() => ourRunIds().length === 0, 10_000, 'no process of this supervisor');
  await waitRunHostGone(home.path, NAME);
  home.remove();
});

/** Run ids of live processes started by this file's supervisor. */
function ourRunIds(): string[] {
  return findMarkedProcesses(RUN_MARKER)
    .found.filter((p) => {
      const name = readEnvironValue(p.identity.pid, 'RUNWARDEN_SUPERVISOR');
      return typeof name === 'object' && name.value === NAME;
    })
    .map((p) => p.value);
}

test('random specs: a tracked run or an InvalidOptionError, and no process without a run', async () => {
  await fc.assert(
    fc.asyncProperty(anySpec.map(harmless), async (spec) => {
      const known = sup.list().length;
      let run;
      try {
        run = await sup.spawn(spec as never);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect(sup.list()).toHaveLength(known);
        expect(ourRunIds()).toEqual([]);
        return;
      }
      expect(sup.get(run.id)).toBeDefined();
      for (const id of ourRunIds()) expect(id).toBe(run.id);
      const exit = await run.cancel();
      expect(exit.survivors).toEqual([]);
      expect(ourRunIds()).toEqual([]);
    }),
    { numRuns: 60 },
  );
  expect(sup.state).toBe('active');
  const after = await sup.spawn({ command: 'true' });
  expect(await after.exited).toMatchObject({ reason: 'exit', exitCode: 0 });
}, 120_000);
