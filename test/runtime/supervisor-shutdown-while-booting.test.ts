// A shutdown that arrives while the supervisor boots: the machine leaves `booting`, the
// boot stops where it is, and whatever it took (the owner lease) is given back.
import { expect, test } from 'vitest';
import { openSupervisor } from '../../src/create-supervisor.js';
import { createSupervisor } from '../../src/index.js';
import { createTempHome } from '../support/temp-home.js';

test('boot() then shutdown() at once: boot is refused, the lease is released', async () => {
  const home = createTempHome();
  try {
    const sup = await openSupervisor({ home: home.path });
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
