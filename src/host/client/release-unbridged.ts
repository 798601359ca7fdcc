// A durable run in a host this supervisor cannot bridge (another version's protocol) is
// ended by the verified termination, but the host keeps its exit until it is released, and
// itself with it. The frozen release route (`DELETE /v1/runs/<id>`, answered by a host of
// any version) lets it go, so the host empties and exits by itself.
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunContext } from '../../machines/run-context.js';
import { RunHostError, type RunHostProtocolError } from './host-client.js';
import type { RunHostLink } from './run-host-link.js';

// The host notices its process's end within a poll of its own: seconds are a wide margin.
const RELEASE_TIMEOUT_MS = 5000;
const RELEASE_POLL_MS = 50;

/**
 * Releases an ended run from the host `refused` names. Resolves `true` once released,
 * `false` when that host does not hold it (another host, or none, serves the socket now).
 */
export async function releaseUnbridged(
  link: RunHostLink,
  context: RunContext,
  refused: RunHostProtocolError,
): Promise<boolean> {
  const recorded = context.host;
  // Only the very host that started the run holds it.
  if (
    recorded !== null &&
    (recorded.pid !== refused.host.pid || recorded.startTicks !== refused.host.startTicks)
  ) {
    return false;
  }
  const deadline = Date.now() + RELEASE_TIMEOUT_MS;
  for (;;) {
    try {
      await link.client.collect(context.runId);
      return true;
    } catch (error) {
      if (error instanceof RunHostError && error.status === 404) return false;
      // The run was ended a moment ago: the host may not have seen its process end yet.
      const live = error instanceof RunHostError && error.code === 'E_RUN_LIVE';
      if (!live || Date.now() >= deadline) throw error;
      await sleep(RELEASE_POLL_MS);
    }
  }
}
