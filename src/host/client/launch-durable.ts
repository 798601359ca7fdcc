// Starts a durable run: the run host (started on demand) launches the process and keeps
// it; the supervisor gets a DurableProcess handle that follows it over the host's socket.
import type { Logger } from '../../support/logger.js';
import type { LaunchSpec } from '../../os/process-handle.js';
import { SpawnError } from '../../errors.js';
import { RUN_MARKER } from '../../os/run-marker.js';
import { terminateRunTree } from '../../os/terminate-run-tree.js';
import type { RunDescriptor } from '../../types.js';
import { DurableProcess } from './durable-process.js';
import { RunHostError } from './host-client.js';
import type { RunHostLink } from './run-host-link.js';

export async function launchDurable(
  link: RunHostLink,
  target: {
    readonly runId: string;
    readonly descriptor: RunDescriptor;
    /** Where the run's output stands (a restarted run's log goes on after it). */
    readonly outputFrom: number;
  },
  launch: LaunchSpec,
  logger: Logger,
): Promise<DurableProcess> {
  const { runId, descriptor } = target;
  const request = {
    runId,
    mode: descriptor.mode,
    launch: { ...launch, args: [...launch.args], env: { ...launch.env } },
    timeoutMs: descriptor.timeoutMs,
    noOutputTimeoutMs: descriptor.noOutputTimeoutMs,
    killGraceMs: descriptor.killGraceMs,
    logCapBytes: descriptor.maxLogBytes,
  };
  let host = await link.ensure();
  let started;
  try {
    try {
      started = await host.client.spawn(request);
    } catch (error) {
      // An idle host may stop right after it answered: start a fresh one, once.
      if (!isHostDown(error)) throw error;
      host = await link.ensure();
      started = await host.client.spawn(request);
    }
  } catch (error) {
    // The request may have reached the host before it failed (a host killed mid-spawn):
    // whatever carries this run's marker is ended before the run is recorded as failed.
    if (!(error instanceof SpawnError) && !isHostDown(error)) {
      await endStrays(runId, descriptor, logger);
    }
    throw error;
  }
  return new DurableProcess({
    link,
    runId,
    pid: started.pid,
    mode: descriptor.mode,
    host: host.identity,
    // A restarted run's log goes on after the last generation's output: the host says
    // where; a host older than restarts does not, and the run's own offset stands in.
    since: started.outputStart ?? target.outputFrom,
    logger,
  });
}

// Refused before any request was delivered (no socket, or nobody listening on it).
function isHostDown(error: unknown): boolean {
  return error instanceof RunHostError && error.code === 'E_RUN_HOST_DOWN';
}

async function endStrays(runId: string, descriptor: RunDescriptor, logger: Logger): Promise<void> {
  const report = await terminateRunTree({
    query: { marker: `${RUN_MARKER}=${runId}`, root: null },
    graceMs: descriptor.killGraceMs,
    softSignals: descriptor.mode === 'pty' ? ['SIGHUP', 'SIGTERM'] : ['SIGTERM'],
  });
  if (report.members.length > 0) {
    const pids = report.members.map((member) => member.identity.pid);
    logger.warn({ runId, pids }, 'processes of a run whose spawn failed midway were ended');
  }
}
