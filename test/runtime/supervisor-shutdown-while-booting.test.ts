// A shutdown that arrives while the supervisor boots: the machine leaves `booting`, the
// boot stops where it is, and whatever it took (the owner lease) is given back.
import { expect, test } from 'vitest';
import { createSupervisor, Supervisor } from '../../src/index.js';
import { resolveSupervisorOptions } from '../../src/options/supervisor-options.js';
import { openStore } from '../../src/persistence/open-store.js';
import { RecordStore } from '../../src/persistence/record-store.js';
import { createTempHome } from '../support/temp-home.js';

test('boot() then shutdown() at once: boot is refused, the lease is released', async () => {
  const home = createTempHome();
  try {
    const options = resolveSupervisorOptions({ home: home.path });
    const opened = await openStore(options.store, home.path, options.logger);
    const store = new RecordStore(opened.keyv, options.name, () => Date.now(), opened.location);
    const sup = new Supervisor(options, store, () => opened.close(), home.path);
    const booting = sup.boot().then(
      () => null,
      (error: unknown) => error,
    );
    await sup.shutdown();
    expect(await booting).toMatchObject({ code: 'E_SUPERVISOR_STOPPED' });
    expect(sup.state).toBe('stopped');
    // The next supervisor of the name is not told the name is busy.
    const next = await createSupervisor({ home: home.path });
    expect(next.state).toBe('active');
    await next.shutdown();
  } finally {
    home.remove();
  }
});
