// A real supervisor, made as createSupervisor makes it, whose boot the caller does not have
// to wait for: a model path acts on runs (kills an orphan's process, shuts down) while the
// boot that adopted them is still settling them.
import { openSupervisor } from '../../src/create-supervisor.js';
import type { Supervisor, SupervisorOptions } from '../../src/index.js';

/** A booting supervisor, and its boot (which settles, never rejects: see `failure`). */
export interface Booting {
  readonly sup: Supervisor;
  /** Resolves once boot finished: `null`, or why it failed. */
  readonly booted: Promise<unknown>;
}

/** A supervisor as createSupervisor makes it, before its boot. */
export { openSupervisor };

export async function bootSupervisor(options: SupervisorOptions): Promise<Booting> {
  const sup = await openSupervisor(options);
  const booted = sup.boot().then(
    () => null,
    (error: unknown) => error,
  );
  return { sup, booted };
}
