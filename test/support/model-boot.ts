// A real supervisor, made as createSupervisor makes it, whose boot the caller does not have
// to wait for: a model path acts on runs (kills an orphan's process, shuts down) while the
// boot that adopted them is still settling them.
import {
  resolveSupervisorOptions,
  type SupervisorOptions,
} from '../../src/options/supervisor-options.js';
import { ensurePrivateDir, resolveHome } from '../../src/persistence/home-dir.js';
import { openStore } from '../../src/persistence/open-store.js';
import { RecordStore } from '../../src/persistence/record-store.js';
import { Supervisor } from '../../src/runtime/supervisor.js';

/** A booting supervisor, and its boot (which settles, never rejects: see `failure`). */
export interface Booting {
  readonly sup: Supervisor;
  /** Resolves once boot finished: `null`, or why it failed. */
  readonly booted: Promise<unknown>;
}

/** A supervisor as createSupervisor makes it, before its boot. */
export async function openSupervisor(options: SupervisorOptions): Promise<Supervisor> {
  const resolved = resolveSupervisorOptions(options);
  const home = resolveHome(resolved.home);
  ensurePrivateDir(home);
  const opened = await openStore(resolved.store, home, resolved.logger);
  const store = new RecordStore(
    opened.keyv,
    resolved.name,
    () => resolved.clock.now(),
    opened.location,
  );
  return new Supervisor(resolved, store, () => opened.close(), home);
}

export async function bootSupervisor(options: SupervisorOptions): Promise<Booting> {
  const sup = await openSupervisor(options);
  const booted = sup.boot().then(
    () => null,
    (error: unknown) => error,
  );
  return { sup, booted };
}
