// The library's entry point: validate options, open the store, boot, return the supervisor.
import Keyv from 'keyv';
import { Supervisor } from './actors/supervisor.js';
import { UnsupportedPlatformError } from './errors.js';
import { resolveSupervisorOptions, type SupervisorOptions } from './options/supervisor-options.js';
import { hasProcFs } from './os/proc-fs.js';
import { KeyvRunJournal } from './persistence/keyv-journal.js';

/** Creates and boots a supervisor. Throws InvalidOptionError for bad options. */
export async function createSupervisor(options: SupervisorOptions = {}): Promise<Supervisor> {
  const resolved = resolveSupervisorOptions(options);
  // Identity verification reads /proc; without it nothing could be signalled safely.
  if (!hasProcFs()) throw new UnsupportedPlatformError(process.platform);
  const keyv = new Keyv({ namespace: `runwarden:${resolved.name}` });
  const journal = new KeyvRunJournal(keyv, resolved.name, () => resolved.clock.now());
  const supervisor = new Supervisor(resolved, journal);
  await Promise.resolve();
  supervisor.markBooted();
  return supervisor;
}
