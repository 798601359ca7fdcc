// Starts a run's process through the right backend: PTY, child, or the run host.
import { launchDurable } from '../host/client/launch-durable.js';
import type { RunHostLink } from '../host/client/run-host-link.js';
import { launchChild } from '../os/child-process.js';
import type { ProcessHandle } from '../os/process-handle.js';
import { launchPty } from '../os/pty-process.js';
import { buildLaunch } from './build-launch.js';
import type { LaunchTarget } from './effect-environment.js';
import type { Logger } from '../support/logger.js';

/** Resolves the command and launches it. Throws SpawnError (or RunHostError). */
export async function launchRun(
  target: LaunchTarget,
  supervisorName: string,
  host: { readonly link: RunHostLink; readonly logger: Logger },
): Promise<ProcessHandle> {
  const { runId, descriptor, generation } = target;
  const spec = buildLaunch(runId, descriptor, supervisorName, generation);
  if (descriptor.durable) return launchDurable(host.link, target, spec, host.logger);
  return descriptor.mode === 'pty' ? launchPty(spec) : launchChild(spec);
}
