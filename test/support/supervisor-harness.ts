// Creates supervisors on temporary homes and shuts every one down after the test.
import { afterEach } from 'vitest';
import { createSupervisor, type Supervisor, type SupervisorOptions } from '../../src/index.js';
import { removeEmptyArea } from './cgroup-cleanup.js';
import { createTempHome } from './temp-home.js';

/** Call at the top of a test file: returns a factory whose supervisors are cleaned up. */
export function useSupervisors(): (options?: SupervisorOptions) => Promise<Supervisor> {
  const started: Supervisor[] = [];
  const homes: Array<() => void> = [];
  afterEach(async () => {
    const areas = started.map((sup) => sup.containment.cgroupArea);
    await Promise.all(started.splice(0).map((sup) => sup.shutdown()));
    for (const area of areas) removeEmptyArea(area);
    for (const remove of homes.splice(0)) remove();
  });
  return async (options = {}) => {
    let home = options.home;
    if (home === undefined) {
      const temp = createTempHome();
      homes.push(temp.remove);
      home = temp.path;
    }
    const sup = await createSupervisor({ ...options, home });
    started.push(sup);
    return sup;
  };
}
