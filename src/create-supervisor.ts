// The library's entry point: validate options, open the store, boot, return the supervisor.
import { Supervisor } from './runtime/supervisor.js';
import { resolveSupervisorOptions, type SupervisorOptions } from './options/supervisor-options.js';
import { areaNameFor, chooseContainment } from './os/cgroup/containment.js';
import { processTable } from './os/process-table.js';
import { ensurePrivateDir, resolveHome } from './persistence/home-dir.js';
import { openStore } from './persistence/open-store.js';
import { RecordStore } from './persistence/record-store.js';

/**
 * Creates a supervisor and boots it: takes the owner lease for (host, name), reconciles
 * the runs a previous supervisor left (see `sup.lastReconcile`), then accepts runs.
 * Throws InvalidOptionError for bad options, SupervisorBusyError if another live
 * supervisor owns the name, StoreError if the store is unusable.
 */
export async function createSupervisor(options: SupervisorOptions = {}): Promise<Supervisor> {
  const supervisor = await openSupervisor(options);
  await supervisor.boot();
  return supervisor;
}

/**
 * Validates the options, opens the store and creates the supervisor, not booted yet (its
 * machine is `idle`). Not exported from the package: callers boot through createSupervisor.
 */
export async function openSupervisor(options: SupervisorOptions = {}): Promise<Supervisor> {
  const resolved = resolveSupervisorOptions(options);
  // Identity verification needs a process table (/proc, or ps on macOS); without one
  // nothing could be signalled safely, so this throws UnsupportedPlatformError.
  processTable();
  const home = resolveHome(resolved.home);
  ensurePrivateDir(home);
  const opened = await openStore(resolved.store, home, resolved.logger);
  const store = new RecordStore(
    opened.keyv,
    resolved.name,
    () => resolved.clock.now(),
    opened.location,
  );
  // Decided once, before the boot: a boot ends orphans and sweeps cgroups by it.
  let containment;
  try {
    containment = chooseContainment(
      resolved.containment,
      areaNameFor(resolved.name, opened.location),
    );
  } catch (error) {
    await opened.close().catch(() => undefined);
    throw error;
  }
  return new Supervisor(resolved, store, () => opened.close(), home, containment);
}
