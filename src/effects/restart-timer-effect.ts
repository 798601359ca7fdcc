// Effect of `backoff`: one timer for the time the next generation may start. It wakes the
// machine with RESTART_DUE; a wake-up before that time (Node's timer limit) re-enters
// `backoff`, which arms it again. Leaving `backoff` (a cancel) disarms it.
import { fromCallback } from 'xstate';
import type { RunEvent } from '../machines/run-events.js';
import type { RestartTimerInput } from '../machines/run-effects.js';
import { Watchdog } from './watchdog.js';
import type { EffectEnvironment } from './effect-environment.js';

export function restartTimerEffect(env: Pick<EffectEnvironment, 'clock'>) {
  return fromCallback<RunEvent, RestartTimerInput>(({ input, sendBack }) => {
    const timer = new Watchdog(env.clock, (now) => {
      sendBack({ type: 'RESTART_DUE', now });
    });
    timer.arm(input.startAt);
    return () => {
      timer.disarm();
    };
  });
}
