// The group machine's effects, as named actor logic the runtime provides. These do nothing:
// pure tests keep them.
import { fromCallback, fromPromise } from 'xstate';
import type { GroupEvent } from './group-events.js';

/** Which group an effect acts for. */
export interface GroupEffectInput {
  readonly path: string;
}

/** What the group timer arms: when the next held child is due (`null`: none). */
export interface GroupTimerInput {
  readonly path: string;
  readonly at: number | null;
}

export const groupEffects = {
  /** Stores the group's record; resolves once it is durable, rejects if it cannot be. */
  writeGroup: fromPromise<undefined, GroupEffectInput>(() => Promise.resolve(undefined)),
  /** Sends RESUME_DUE at `at`. */
  groupTimer: fromCallback<GroupEvent, GroupTimerInput>(() => undefined),
};
