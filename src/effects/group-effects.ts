// Effects of the group machine: its write-ahead record (`recording`) and its timer (held
// children due, a restart's time). Each is invoked by the state that needs it and stopped
// when that state is left.
import { fromCallback, fromPromise } from 'xstate';
import type { GroupEffectInput, GroupTimerInput } from '../machines/group-effects.js';
import type { GroupEvent } from '../machines/group-events.js';
import type { Clock } from '../support/clock.js';
import { Watchdog } from './watchdog.js';

/** Stores the group's record; the group takes no child before it is durable. */
export function writeGroupEffect(write: (path: string) => Promise<void>) {
  return fromPromise<undefined, GroupEffectInput>(async ({ input }) => {
    await write(input.path);
    return undefined;
  });
}

/** Wakes the group with RESUME_DUE at `at` (a wake-up before it re-arms in the machine). */
export function groupTimerEffect(clock: Clock) {
  return fromCallback<GroupEvent, GroupTimerInput>(({ input, sendBack }) => {
    if (input.at === null) return undefined;
    const timer = new Watchdog(clock, (now) => {
      sendBack({ type: 'RESUME_DUE', now });
    });
    timer.arm(input.at);
    return () => {
      timer.disarm();
    };
  });
}
