// The group machine's guards: pure predicates over its context and the event at hand.
import { exceedsIntensity, memberOf, type GroupContext } from './group-context.js';
import type { GroupEvent } from './group-events.js';

type Guard = (args: { context: GroupContext; event: GroupEvent }) => boolean;

const ERROR_PREFIX = 'xstate.error.actor.';

/** The child an event is about (a run's end names it in its output). */
export function childOf(event: GroupEvent): string | null {
  switch (event.type) {
    case 'RUN_ENDED':
      return event.output.runId;
    case 'CHILD_HELD':
    case 'CHILD_STARTED':
    case 'GROUP_ENDED':
      return event.id;
    default:
      // A child actor that failed (an action threw): `xstate.error.actor.<id>`.
      return event.type.startsWith(ERROR_PREFIX) ? event.type.slice(ERROR_PREFIX.length) : null;
  }
}

const failure = (event: GroupEvent) => event.type === 'CHILD_HELD' && event.cause === 'failed';
const nextMember = (context: GroupContext, ids: readonly string[]) =>
  ids.some((id) => memberOf(context, id) !== undefined);

export const groupGuards = {
  /** The event reports on the child being stopped or started now. */
  isCurrent: (({ context, event }) =>
    context.current !== null && childOf(event) === context.current) as Guard,
  /** A child held for any reason but its own failure (a stop, a boot). */
  notFailure: (({ event }) => event.type === 'CHILD_HELD' && event.cause !== 'failed') as Guard,
  /** A child failed, and another restart would exceed the group's intensity. */
  exceedsIntensity: (({ context, event }) =>
    event.type === 'CHILD_HELD' &&
    event.cause === 'failed' &&
    exceedsIntensity(context, event.endedAt)) as Guard,
  /** A child failed (within the intensity). */
  childFailed: (({ event }) => failure(event)) as Guard,
  oneForOne: (({ context }) => context.settings.strategy === 'one-for-one') as Guard,
  /** A child failed (within the intensity) in a one-for-one group. */
  oneForOneFailure: (({ context, event }) =>
    failure(event) && context.settings.strategy === 'one-for-one') as Guard,
  /** Every child on the stop list has stopped. */
  stopsDone: (({ context }) =>
    context.current === null && !nextMember(context, context.toStop)) as Guard,
  /** Every child on the stop list has stopped, and no child is left at all. */
  subtreeEnded: (({ context }) =>
    context.current === null &&
    !nextMember(context, context.toStop) &&
    context.children.length === 0) as Guard,
  /** Every child on the resume list has started (or ended). */
  resumesDone: (({ context }) =>
    context.current === null && !nextMember(context, context.toResume)) as Guard,
  noChildren: (({ context }) => context.children.length === 0) as Guard,
  /** The group timer woke at or after the restart's time. */
  restartDue: (({ context, event }) =>
    event.type === 'RESUME_DUE' && event.now >= (context.resumeAt ?? 0)) as Guard,
  /** Rebuilt at boot from a record written while it stopped its subtree. */
  restoredStopping: (({ context }) => context.restoredState === 'stopping') as Guard,
  /** Rebuilt at boot from a record written once it failed. */
  restoredFailed: (({ context }) => context.restoredState === 'failed') as Guard,
  /** Rebuilt with held runs, and its strategy restarts them together (not one for one). */
  heldForGroupRestart: (({ context }) =>
    context.held.length > 0 && context.settings.strategy !== 'one-for-one') as Guard,
  /** Rebuilt from its record: it is not written ahead again. */
  restored: (({ context }) => context.origin === 'record') as Guard,
};
