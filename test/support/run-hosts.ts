// Run host processes of a test home, found by their marker (never by name).
import { RUN_HOST_MARKER } from '../../src/host/client/run-host-link.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import type { ProcessIdentity } from '../../src/os/process-identity.js';
import { waitUntil } from './wait-for.js';

/** Live run hosts of (home, name). */
export function liveRunHosts(home: string, name = 'default'): ProcessIdentity[] {
  return findMarkedProcesses(RUN_HOST_MARKER)
    .found.filter((p) => p.value === `${home}/${name}`)
    .map((p) => p.identity);
}

/** Waits until the run host of (home, name) exited by itself (it holds no run any more). */
export async function waitRunHostGone(home: string, name = 'default'): Promise<void> {
  await waitUntil(() => liveRunHosts(home, name).length === 0, 10_000, 'the run host to exit');
}
