// Effect of the store health machine: one cheap read of the store a second, reported as
// PROBE_OK or PROBE_FAILED. The timer never keeps the process alive.
import { fromCallback } from 'xstate';
import { toErrorInfo } from '../errors.js';
import type { StoreHealthEvent } from '../machines/store-health-machine.js';
import type { Clock } from '../support/clock.js';

const PROBE_INTERVAL_MS = 1000;

export function probeStoreEffect(probe: () => Promise<unknown>, clock: Clock) {
  return fromCallback<StoreHealthEvent>(({ sendBack }) => {
    let stopped = false;
    let probing = false;
    const timer = setInterval(() => {
      if (probing) return;
      probing = true;
      probe().then(
        () => {
          probing = false;
          if (!stopped) sendBack({ type: 'PROBE_OK', at: clock.now() });
        },
        (error: unknown) => {
          probing = false;
          if (!stopped)
            sendBack({
              type: 'PROBE_FAILED',
              error: toErrorInfo(error, 'E_STORE_READ'),
              at: clock.now(),
            });
        },
      );
    }, PROBE_INTERVAL_MS);
    timer.unref();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  });
}
