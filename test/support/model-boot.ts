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

/** A kill shutdown: null once the supervisor stopped, or (not within `ms`) where it is stuck. */
export async function shutdownWithin(sup: Supervisor, ms: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => {
      resolve('late');
    }, ms);
  });
  const end = await Promise.race([sup.shutdown().then(() => 'stopped' as const), late]);
  clearTimeout(timer);
  if (end === 'stopped') return null;
  return `the kill shutdown did not end within ${ms} ms: ${JSON.stringify(sup.tree())}`;
}
