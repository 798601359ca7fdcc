// Starts a run's process through the right backend: PTY, child, or the run host; under
// cgroup containment, inside its generation's cgroup.
import { launchDurable } from '../host/client/launch-durable.js';
import type { RunHostLink } from '../host/client/run-host-link.js';
import type { Containment } from '../os/cgroup/containment.js';
import { launchChild } from '../os/child-process.js';
import { launchPty } from '../os/pty-process.js';
import { buildLaunch } from './build-launch.js';
import type { LaunchTarget } from './effect-environment.js';
import { launchInCgroup, type Launched } from './launch-in-cgroup.js';
import type { Logger } from '../support/logger.js';

/** Resolves the command and launches it. Throws SpawnError (or RunHostError, CgroupError). */
export async function launchRun(
  target: LaunchTarget,
  supervisorName: string,
  host: { readonly link: RunHostLink; readonly logger: Logger },
  containment: Containment,
): Promise<Launched> {
  const { runId, descriptor, generation } = target;
  const spec = buildLaunch(runId, descriptor, supervisorName, generation);
  if (descriptor.durable)
    return { handle: await launchDurable(host.link, target, spec, host.logger), cgroup: null };
  // Both fork inside the call: the process is born wherever this process stands then.
  const start = () =>
    descriptor.mode === 'pty' ? Promise.resolve(launchPty(spec)) : launchChild(spec);
  if (containment.mode === 'cgroup') return launchInCgroup(containment, target, start, host.logger);
  return { handle: await start(), cgroup: null };
}
