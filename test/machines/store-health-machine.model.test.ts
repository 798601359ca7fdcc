// The store health machine against a real supervisor: a real SQLite store (handed in as the
// supervisor's Keyv) whose probe reads wait for the test's answer, and whose writes the test
// refuses or holds one by one, so each event of the walk below happens exactly once, in
// order. The store health actor must take exactly the walk's transitions; the last test
// fails unless every transition of the machine was taken for real.
import { afterAll, expect, test } from 'vitest';
import { StoreError, type Supervisor } from '../../src/index.js';
import { listTransitions } from '../../src/machines/list-transitions.js';
import { storeHealthMachine } from '../../src/machines/store-health-machine.js';
import { bootSupervisor } from '../support/model-boot.js';
import { FIXTURE } from '../support/model-steps.js';
import { openGatedStore, type GatedStore } from '../support/model-store.js';
import { ModelWorld } from '../support/model-world.js';
import { TransitionRecorder } from '../support/transition-recorder.js';
import { waitUntil } from '../support/wait-for.js';

// The probe runs once a second; record writes retry after 250 ms, then 500 ms.
const WAIT_MS = 15_000;

const K = {
  probeFailed: 'ok --PROBE_FAILED--> degraded',
  probeFailedAgain: 'degraded --PROBE_FAILED--> (self)',
  probeOk: 'degraded --PROBE_OK--> (self)',
  healthy: 'degraded --always[healthy]--> ok',
  writeFailed: 'ok --WRITE_FAILED--> degraded',
  writeFailedAgain: 'degraded --WRITE_FAILED--> (self)',
  refused: 'ok --REFUSED--> degraded',
  refusedAgain: 'degraded --REFUSED--> (self)',
  landed: 'degraded --WRITE_LANDED--> (self)',
  // A refused run needs no record: the store health forgets it (it never lagged).
  runGone: 'degraded --RUN_GONE--> (self)',
} as const;

const world = new ModelWorld('runwarden-health-');
const recorder = new TransitionRecorder();
const runIds: string[] = [];
let store: GatedStore;
let sup: Supervisor;

afterAll(async () => {
  recorder.pause();
  for (const runId of runIds) await world.endMarked(runId);
  if (sup.state !== 'stopped') await sup.shutdown();
  await store.close();
  world.home.remove();
});

const log = () => recorder.actorLogs('storeHealth')[0] ?? [];
const taken = (count: number) =>
  waitUntil(() => log().length >= count, WAIT_MS, `${count} transitions`);

/** Answers the probe waiting now (the next one waits for the test again). */
async function probe(ok: boolean): Promise<void> {
  await waitUntil(() => store.waitingProbes > 0, WAIT_MS, 'a probe');
  store.answerProbe(ok);
}

/** A spawn whose write-ahead the store refuses: a StoreError, and no run. */
async function refusedSpawn(): Promise<void> {
  const off = sup.onEvent((event) => {
    if (event.type === 'run.state' && event.to === 'recording') {
      off();
      store.gateNext(`${world.name}/run/${event.runId}`, 'refuse');
    }
  });
  await expect(sup.spawn({ command: 'true' })).rejects.toBeInstanceOf(StoreError);
}

test('the walk: probes fail and answer, a run record lags and catches up, write-aheads are refused', async () => {
  store = await openGatedStore(world.home.path);
  store.holdProbes = true;
  const booting = await bootSupervisor({
    home: world.home.path,
    name: world.name,
    store: store.keyv,
    inspect: recorder.inspect,
  });
  sup = booting.sup;
  expect(await booting.booted).toBeNull();
  const ready = `${world.home.path}/ready`;
  const run = await sup.spawn({ command: process.execPath, args: ['-e', FIXTURE, ready] });
  runIds.push(run.id);
  await world.ready(ready);

  // The store stops answering the probe, twice, then answers.
  await probe(false);
  await probe(false);
  await probe(true);
  await taken(4);
  expect(sup.storeHealth.state).toBe('ok');

  // A run's record cannot be written (twice), and then its retry hangs while a spawn is
  // refused; the retry lands, and every record is up to date again.
  const key = `${world.name}/run/${run.id}`;
  store.gateNext(key, 'refuse');
  store.gateNext(key, 'refuse');
  const retry = store.gateNext(key, 'hold');
  run.write('out\n');
  await taken(6);
  expect(sup.storeHealth).toMatchObject({ state: 'degraded', laggingRuns: [run.id] });
  await refusedSpawn();
  await taken(8);
  retry.open();
  await taken(10);
  expect(sup.storeHealth).toMatchObject({ state: 'ok', laggingRuns: [] });

  // A refused write-ahead while all is well; a probe answers.
  await refusedSpawn();
  await taken(12);
  await probe(true);
  await taken(14);
  expect(sup.storeHealth.state).toBe('ok');

  expect(log()).toEqual([
    K.probeFailed,
    K.probeFailedAgain,
    K.probeOk,
    K.healthy,
    K.writeFailed,
    K.writeFailedAgain,
    K.refusedAgain,
    K.runGone,
    K.landed,
    K.healthy,
    K.refused,
    K.runGone,
    K.probeOk,
    K.healthy,
  ]);
});

test('every transition of the store health machine was taken by the real supervisor', () => {
  const all = listTransitions(storeHealthMachine).map((t) => t.key);
  expect(all.filter((key) => !log().includes(key))).toEqual([]);
});
