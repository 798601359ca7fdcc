// The run machine's guards: pure predicates over its context and the event at hand.
import { decideOrphan } from './decide-orphan.js';
import type { RunContext } from './run-context.js';
import { isDue } from './run-deadlines.js';
import type { RunEvent } from './run-events.js';

type Guard = (args: { context: RunContext; event: RunEvent }) => boolean;

const due =
  (deadline: keyof RunContext['deadlines']): Guard =>
  ({ context, event }) =>
    event.type === 'TICK' && isDue(context.deadlines[deadline], event.now);

const orphanDecision =
  (decision: ReturnType<typeof decideOrphan>): Guard =>
  ({ event }) =>
    event.type === 'ADOPT' && decideOrphan(event.facts) === decision;

export const runGuards = {
  /** The context came from a record of an earlier supervisor: adopt, never spawn. */
  adopted: (({ context }) => context.origin === 'record') as Guard,
  replacesScope: (({ context }) =>
    context.descriptor.replaceExistingScope && context.descriptor.scopeKey !== null) as Guard,
  timeoutDue: due('timeoutAt'),
  noOutputDue: due('noOutputAt'),
  idleDue: due('idleAt'),
  /** A `leave` shutdown arrived while the process was being started. */
  releaseRequested: (({ context }) => context.exit?.reason === 'released') as Guard,
  /** A cancellation arrived while the process was being started. */
  cancelRequested: (({ context }) => context.endReason !== null) as Guard,
  finalizationComplete: (({ context }) =>
    context.processExit !== null && context.termination !== null) as Guard,
  /** Boot's facts: the verified root (or its run host) lives, and the policy reattaches. */
  orphanReattachable: orphanDecision('reattach'),
  /** Boot's facts: something of the run lives, and it is to be ended. */
  orphanToKill: orphanDecision('kill'),
  /** Boot's facts: nothing of the run is alive (or its record predates this boot). */
  orphanGone: orphanDecision('lost'),
};
