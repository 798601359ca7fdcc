// The supervisor's and the store health's effects as named actor logic. These do nothing
// (pure tests keep them); the runtime provides the real ones.
import { fromCallback, fromPromise } from 'xstate';
import type { StoreHealthEvent } from './store-health-machine.js';

export const supervisorEffects = {
  /**
   * Takes the owner lease, loads the records, gathers the facts, and sends ADOPT_RUN and
   * RETAIN_RECORDS; resolves once every adopted run settled. Rejects: boot failed.
   */
  boot: fromPromise<undefined>(() => Promise.resolve(undefined)),
  /** Waits for every record write and delete, releases the lease, closes the store. */
  close: fromPromise<undefined>(() => Promise.resolve(undefined)),
};

export const storeHealthEffects = {
  /** Probes the store once a second; sends PROBE_OK or PROBE_FAILED. */
  probeStore: fromCallback<StoreHealthEvent>(() => undefined),
};
