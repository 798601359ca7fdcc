// The run machine's guards: pure predicates over its context and the event at hand.
import { decideAdoption, decideOrphan } from './decide-orphan.js';
import type { RunContext } from './run-context.js';
import { isDue } from './run-deadlines.js';
import type { RunEvent } from './run-events.js';
import { recycledForRestart, restartWanted, withinRestartIntensity } from './run-restarts.js';

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
  // Only a run's first generation replaces its scope: a later one's predecessors are gone.
  replacesScope: (({ context }) =>
    context.generation === 1 &&
    context.descriptor.replaceExistingScope &&
    context.descriptor.scopeKey !== null) as Guard,
  /** The run's first start: a refused write-ahead means it never existed. */
  firstGeneration: (({ context }) => context.generation === 1) as Guard,
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
  /** The record was waiting to restart (in `backoff`), and nothing of it lives. */
  awaitingRestart: (({ context, event }) =>
    event.type === 'ADOPT' &&
    decideAdoption(context.nextStartAt, event.facts) === 'restart') as Guard,
  /** The policy starts another generation after this end, and the intensity allows it. */
  restartAllowed: (({ context }) =>
    restartWanted(context) && withinRestartIntensity(context)) as Guard,
  /**
   * A run of a group whose policy asks for a restart: its group decides when, and its
   * group's intensity (not the run's own) limits how often, as in OTP.
   */
  restartAllowedInGroup: (({ context }) =>
    context.descriptor.group !== null && restartWanted(context)) as Guard,
  /** As `awaitingRestart`, for a run of a group: its rebuilt group decides when. */
  awaitingGroupRestart: (({ context, event }) =>
    context.descriptor.group !== null &&
    event.type === 'ADOPT' &&
    decideAdoption(context.nextStartAt, event.facts) === 'restart') as Guard,
  /** The policy asks for a restart the intensity no longer allows. */
  restartWanted: (({ context }) => restartWanted(context)) as Guard,
  /** Its group stopped this generation to restart it, and it may start again. */
  recycledForRestart: (({ context }) => recycledForRestart(context)) as Guard,
  /** OTP's temporary child: its policy never starts it again. */
  neverRestarts: (({ context }) => context.descriptor.restart === 'never') as Guard,
  /** The restart timer woke at or after the recorded start time. */
  restartDue: (({ context, event }) =>
    event.type === 'RESTART_DUE' && isDue(context.nextStartAt, event.now)) as Guard,
};
