// Starts a durable run: the run host (started on demand) launches the process and keeps
// it; the supervisor gets a DurableProcess handle that follows it over the host's socket.
import type { Logger } from '../actors/logger.js';
import type { LaunchSpec } from '../os/process-handle.js';
import type { RunDescriptor } from '../types.js';
import { DurableProcess } from './durable-process.js';
import { RunHostError } from './host-client.js';
import type { RunHostLink } from './run-host-link.js';

export async function launchDurable(
  link: RunHostLink,
  runId: string,
  descriptor: RunDescriptor,
  launch: LaunchSpec,
  logger: Logger,
): Promise<DurableProcess> {
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
    started = await host.client.spawn(request);
  } catch (error) {
    // An idle host may stop right after it answered: start a fresh one, once.
    if (!(error instanceof RunHostError && error.code === 'E_RUN_HOST_DOWN')) throw error;
    host = await link.ensure();
    started = await host.client.spawn(request);
  }
  return new DurableProcess({
    link,
    runId,
    pid: started.pid,
    mode: descriptor.mode,
    host: host.identity,
    since: 0,
    logger,
  });
}
