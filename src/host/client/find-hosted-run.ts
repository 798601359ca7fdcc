// Boot-time question for a durable run's record: does a live run host still hold it?
// Only the host that started the run can: a host started later never saw it.
import type { RunContext } from '../../machines/run-context.js';
import type { ProcessIdentity } from '../../os/process-identity.js';
import type { HostedRunStatus } from '../host-protocol.js';
import type { RunHostProtocolError } from './host-client.js';
import { releaseUnbridged } from './release-unbridged.js';
import type { RunHostLink } from './run-host-link.js';

/** A durable run found in its live host. */
export interface FoundHostedRun {
  readonly status: HostedRunStatus;
  /** The host, verified alive when it answered. */
  readonly host: ProcessIdentity;
  /** Lets the host forget the run, once it ended (its final record is written). */
  collect(): Promise<void>;
}

/** The run as its live host holds it; `null` when no live host holds it. */
export async function findHostedRun(
  link: RunHostLink,
  context: RunContext,
): Promise<FoundHostedRun | null> {
  const connection = await link.existing();
  if (connection === null) return null;
  const recorded = context.host;
  // Recorded before the crash (a crash between the host's spawn and that record leaves
  // none): the live host must be the very same process.
  if (
    recorded !== null &&
    (recorded.pid !== connection.identity.pid ||
      recorded.startTicks !== connection.identity.startTicks)
  ) {
    return null;
  }
  const status = await connection.client.run(context.runId);
  if (status === undefined) return null;
  return {
    status,
    host: connection.identity,
    collect: () => connection.client.collect(context.runId),
  };
}

/** A boot's questions to the host of `link`: find a run; release one it cannot bridge. */
export function hostedBootSteps(link: RunHostLink): {
  findHosted(context: RunContext): Promise<FoundHostedRun | null>;
  releaseUnbridged(context: RunContext, refused: RunHostProtocolError): Promise<void>;
} {
  return {
    findHosted: (context) => findHostedRun(link, context),
    releaseUnbridged: async (context, refused) => {
      await releaseUnbridged(link, context, refused);
    },
  };
}
