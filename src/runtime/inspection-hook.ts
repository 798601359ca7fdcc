// The inspection hook of a supervisor's actor system: the runtime follows every actor from
// its creation, then the caller's own inspector (if any) sees the event.
import type { AnyActorRef, InspectionEvent } from 'xstate';
import type { Inspect } from '../options/supervisor-options.js';
import type { Logger } from '../support/logger.js';

export function inspectionHook(
  inspect: Inspect | undefined,
  logger: Logger,
  actorCreated: (ref: AnyActorRef) => void,
): (event: InspectionEvent) => void {
  return (event) => {
    // Every actor is followed from its creation, so no snapshot goes unrecorded.
    if (event.type === '@xstate.actor') actorCreated(event.actorRef as AnyActorRef);
    // A caller's inspector that throws must not take the supervisor down with it.
    try {
      if (typeof inspect === 'function') inspect(event);
      else inspect?.next?.(event);
    } catch (error) {
      logger.error({ err: error }, 'the inspect callback threw');
    }
  };
}
