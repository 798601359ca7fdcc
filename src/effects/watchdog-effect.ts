// Effect of `running` and `idle`: one timer for the earliest deadline that can still fire.
// Output moves deadlines later; instead of re-arming on every chunk, an early wake-up is a
// TICK the machine answers by re-entering its state, which re-arms this effect.
import { fromCallback } from 'xstate';
import type { RunEvent } from '../machines/run-events.js';
import type { WatchdogInput } from '../machines/run-effects.js';
import { nextDeadline } from '../machines/run-deadlines.js';
import { Watchdog } from './watchdog.js';
import type { EffectEnvironment } from './effect-environment.js';

export function watchdogEffect(env: Pick<EffectEnvironment, 'clock' | 'runtime'>) {
  return fromCallback<RunEvent, WatchdogInput>(({ input, sendBack }) => {
    const watchdog = new Watchdog(env.clock, (now) => {
      // Output not reported yet goes first: deadlines are decided with every byte counted.
      env.runtime(input.runId)?.flushOutput();
      sendBack({ type: 'TICK', now });
    });
    watchdog.arm(nextDeadline(input.deadlines, input.idle));
    return () => {
      watchdog.disarm();
    };
  });
}
