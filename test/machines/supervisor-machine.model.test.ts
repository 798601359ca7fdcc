// The supervisor machine against real supervisors: each scenario drives a real supervisor
// (real processes, a real SQLite store, boots on the same home) through a walk of the
// machine, and the supervisor actor must take exactly the transitions of that walk, in
// order, as inspection records them. The last test fails unless every transition of the
// machine was taken for real, but for two no real supervisor can take (see UNREALIZABLE).
import { afterEach, describe, expect, test } from 'vitest';
import { createSupervisor, SupervisorBusyError, type Supervisor } from '../../src/index.js';
import { listTransitions } from '../../src/machines/list-transitions.js';
import { supervisorMachine } from '../../src/machines/supervisor-machine.js';
import { bootSupervisor, openSupervisor } from '../support/model-boot.js';
import { FIXTURE } from '../support/model-steps.js';
import { ModelWorld } from '../support/model-world.js';
import { TransitionRecorder } from '../support/transition-recorder.js';
import { waitUntil } from '../support/wait-for.js';

/** Transitions no real supervisor can take, and why; supervisor-machine.test.ts takes them. */
const UNREALIZABLE = new Map([
  // The close effect catches every failure of its own (records, deletes, lease, store).
  // A run actor fails only when an action or guard throws (supervisor-machine-run-failure).
  ['supervisor --xstate.error.actor.*[isRunFailure]--> (self)', 'run actors do not throw'],
  ['closing --error.invoke.close--> stopped', 'the close effect never rejects'],
]);

const K = {
  boot: 'idle --BOOT--> open',
  booted: 'open.booting --done.invoke.boot--> open.active',
  bootFailed: 'open.booting --error.invoke.boot--> open.failing',
  shutdownIdle: 'idle --SHUTDOWN--> closing',
  adopt: 'open.booting --ADOPT_RUN--> (self)',
  retain: 'open.booting --RETAIN_RECORDS--> (self)',
  shutdownBooting: 'open.booting --SHUTDOWN--> open.draining',
  spawn: 'open.active --SPAWN[belowLiveLimit]--> (self)',
  refuse: 'open.active --SPAWN--> (self)',
  shutdown: 'open.active --SHUTDOWN--> open.draining',
  drained: 'open.draining --always[noLiveRuns]--> closing',
  failed: 'open.failing --always[noLiveRuns]--> closing',
  closed: 'closing --done.invoke.close--> stopped',
  ended: 'supervisor --RUN_ENDED[isOwnRun]--> (self)',
  replace: 'supervisor --REPLACE_PREDECESSORS--> (self)',
  notServing: 'supervisor --SPAWN--> (self)',
  addGroup: 'open.active --ADD_GROUP--> (self)',
  addGroupBooting: 'open.booting --ADD_GROUP--> (self)',
  addGroupNotServing: 'supervisor --ADD_GROUP--> (self)',
  cancelGroup: 'supervisor --CANCEL_GROUP--> (self)',
  groupMissing: 'open.active --SPAWN[groupMissing]--> (self)',
  admitted: 'supervisor --SPAWN_ADMITTED--> (self)',
  spawnRefused: 'supervisor --SPAWN_REFUSED--> (self)',
  groupRefused: 'supervisor --GROUP_REFUSED--> (self)',
  groupEnded: 'supervisor --GROUP_ENDED--> (self)',
  childFailed: 'supervisor --CHILD_HELD[childFailed]--> (self)',
} as const;

const verified = new Set<string>();
let world: ModelWorld;
let recorder: TransitionRecorder;

function options(extra: object = {}) {
  return { home: world.home.path, name: world.name, inspect: recorder.inspect, ...extra };
}

/** A quiet process that ignores SIGTERM (with a grace only the test ends), and its ready file. */
function stubborn() {
  const ready = `${world.home.path}/ready-${world.nextId()}`;
  const args = ['-e', FIXTURE, ready, '--ignore-term'];
  return {
    ready,
    spec: { command: process.execPath, args, killGraceMs: 60_000, onOrphan: 'kill' as const },
  };
}

/** Every run a scenario started, ended by marker after it whatever happened. */
const started: string[] = [];
function track(sup: Supervisor): Supervisor {
  sup.onEvent((event) => {
    if (event.type === 'run.state' && !started.includes(event.runId)) started.push(event.runId);
  });
  return sup;
}

/** The supervisor actors' transitions must be exactly `walks`, one walk per supervisor. */
function expectWalks(...walks: string[][]): void {
  expect(recorder.actorLogs('supervisor')).toEqual(walks);
  for (const key of walks.flat()) verified.add(key);
}

describe('supervisor machine, against real supervisors', () => {
  afterEach(async () => {
    recorder.pause();
    for (const runId of started.splice(0)) await world.endMarked(runId);
    world.home.remove();
  });

  test('boot, admission up to maxLiveRuns, a run ending, shutdown kill', async () => {
    world = new ModelWorld('runwarden-sup-');
    recorder = new TransitionRecorder();
    const sup = track(await createSupervisor(options({ limits: { maxLiveRuns: 2 } })));
    const quick = await sup.spawn({ command: 'true' });
    await quick.exited;
    await sup.spawn({ command: 'sleep', args: ['60'] });
    await sup.spawn({ command: 'sleep', args: ['60'] });
    await expect(sup.spawn({ command: 'true' })).rejects.toMatchObject({ code: 'E_MAX_LIVE_RUNS' });
    await sup.shutdown();
    expectWalks([
      K.boot,
      K.booted,
      K.spawn,
      K.ended,
      K.spawn,
      K.spawn,
      K.refuse,
      K.shutdown,
      K.ended,
      K.ended,
      K.drained,
      K.closed,
    ]);
  });

  test('a run replacing its scope asks the supervisor, which cancels the predecessor', async () => {
    world = new ModelWorld('runwarden-sup-');
    recorder = new TransitionRecorder();
    const sup = track(await createSupervisor(options()));
    const old = await sup.spawn({ command: 'sleep', args: ['60'], scopeKey: 's' });
    const replacer = await sup.spawn({
      command: 'sleep',
      args: ['60'],
      scopeKey: 's',
      replaceExistingScope: true,
    });
    expect(await old.exited).toMatchObject({ reason: 'replaced' });
    await replacer.cancel();
    await sup.shutdown();
    expectWalks([
      K.boot,
      K.booted,
      K.spawn,
      K.spawn,
      K.replace,
      K.ended,
      K.ended,
      K.shutdown,
      K.drained,
      K.closed,
    ]);
  });

  test('leave, then the next boot adopts the live record and keeps the finished one', async () => {
    world = new ModelWorld('runwarden-sup-');
    recorder = new TransitionRecorder();
    const first = track(await createSupervisor(options()));
    await (
      await first.spawn({ command: 'true' })
    ).exited;
    await first.spawn({ command: 'sleep', args: ['60'], onOrphan: 'kill' });
    await first.shutdown({ runs: 'leave' });
    const next = track(await createSupervisor(options()));
    expect(next.lastReconcile).toMatchObject({ killed: [expect.any(String)] });
    await next.shutdown();
    expectWalks(
      [K.boot, K.booted, K.spawn, K.ended, K.spawn, K.shutdown, K.ended, K.drained, K.closed],
      [K.boot, K.adopt, K.ended, K.retain, K.booted, K.shutdown, K.drained, K.closed],
    );
  });

  test('shutdown while booting: the boot stops, and what it adopted is drained', async () => {
    world = new ModelWorld('runwarden-sup-');
    recorder = new TransitionRecorder();
    const first = track(await createSupervisor(options()));
    const { ready, spec } = stubborn();
    const run = await first.spawn(spec);
    await world.ready(ready);
    await first.shutdown({ runs: 'leave' });
    // The next boot kills the orphan, whose process ignores SIGTERM: the boot waits.
    const { sup: next, booted } = await bootSupervisor(options());
    await waitUntil(() => next.get(run.id)?.state === 'finalizing', 15_000, 'the orphan killed');
    expect(next.state).toBe('booting');
    await next.shutdown({ runs: 'leave' });
    expect(await booted).toBeInstanceOf(Error);
    await world.endMarked(run.id);
    expectWalks(
      [K.boot, K.booted, K.spawn, K.shutdown, K.ended, K.drained, K.closed],
      [K.boot, K.adopt, K.shutdownBooting, K.ended, K.drained, K.closed],
    );
  });

  test('a boot that fails (another live supervisor owns the name) closes and stops', async () => {
    world = new ModelWorld('runwarden-sup-');
    recorder = new TransitionRecorder();
    const owner: Supervisor = track(await createSupervisor(options()));
    await expect(createSupervisor(options())).rejects.toBeInstanceOf(SupervisorBusyError);
    await owner.shutdown();
    expectWalks(
      [K.boot, K.booted, K.shutdown, K.drained, K.closed],
      [K.boot, K.bootFailed, K.failed, K.closed],
    );
  });

  test('a spawn before boot is refused; shutdown before boot closes the store and stops; boot then refuses', async () => {
    world = new ModelWorld('runwarden-sup-');
    recorder = new TransitionRecorder();
    const sup = await openSupervisor(options());
    await expect(sup.spawn({ command: 'true' })).rejects.toMatchObject({
      code: 'E_SUPERVISOR_STOPPED',
    });
    await sup.shutdown();
    expect(sup.state).toBe('stopped');
    await expect(sup.boot()).rejects.toMatchObject({ code: 'E_ALREADY_BOOTED' });
    expectWalks([K.notServing, K.shutdownIdle, K.closed]);
  });

  test('groups: created, spawned into, refused while stopping or gone, cancelled, given up', async () => {
    world = new ModelWorld('runwarden-sup-');
    recorder = new TransitionRecorder();
    const sup = track(await createSupervisor(options()));
    const g = await sup.group('g');
    await g.spawn({ command: 'sleep', args: ['60'] });
    await g.cancel();
    await expect(g.spawn({ command: 'true' })).rejects.toMatchObject({
      code: 'E_GROUP_UNAVAILABLE',
    });
    // A group that is stopping (its run ignores SIGTERM) takes no run and no group.
    const h = await sup.group('h');
    const { ready, spec } = stubborn();
    const held = await h.spawn(spec);
    await world.ready(ready);
    const cancelled = h.cancel();
    await waitUntil(() => sup.get(held.id)?.state === 'finalizing', 15_000, 'h stopping');
    await expect(h.spawn({ command: 'true' })).rejects.toMatchObject({
      code: 'E_GROUP_UNAVAILABLE',
    });
    await expect(h.group('sub')).rejects.toMatchObject({ code: 'E_GROUP_UNAVAILABLE' });
    await world.endMarked(held.id);
    await cancelled;
    // Past its intensity with nobody above it: the supervisor gives it up.
    const f = await sup.group('f', { maxRestarts: 0 });
    const failing = await f.spawn({
      command: 'sh',
      args: ['-c', 'exit 1'],
      restart: 'on-failure',
      restartDelayMs: 0,
    });
    expect(await failing.exited).toMatchObject({ reason: 'restart-limit', exitCode: 1 });
    await waitUntil(() => sup.groups().length === 0, 15_000, 'f gone');
    // A group asked for while the supervisor drains is refused by the machine.
    const last = stubborn();
    const direct = await sup.spawn(last.spec);
    await world.ready(last.ready);
    const stopping = sup.shutdown();
    await waitUntil(() => sup.state === 'draining', 15_000, 'draining');
    await expect(sup.group('late')).rejects.toMatchObject({ code: 'E_SUPERVISOR_STOPPED' });
    await world.endMarked(direct.id);
    await stopping;
    expectWalks([
      K.boot,
      K.booted,
      K.addGroup,
      K.spawn,
      K.admitted,
      K.cancelGroup,
      K.ended,
      K.groupEnded,
      K.groupMissing,
      K.addGroup,
      K.spawn,
      K.admitted,
      K.cancelGroup,
      K.spawn,
      K.spawnRefused,
      K.addGroup,
      K.groupRefused,
      K.ended,
      K.groupEnded,
      K.addGroup,
      K.spawn,
      K.admitted,
      K.childFailed,
      K.ended,
      K.groupEnded,
      K.spawn,
      K.shutdown,
      K.addGroupNotServing,
      K.ended,
      K.drained,
      K.closed,
    ]);
  });

  test('a left group is rebuilt by the next boot before its run is adopted', async () => {
    world = new ModelWorld('runwarden-sup-');
    recorder = new TransitionRecorder();
    const first = track(await createSupervisor(options()));
    const group = await first.group('session');
    await group.spawn({ command: 'sleep', args: ['60'], onOrphan: 'kill' });
    await first.shutdown({ runs: 'leave' });
    const next = track(await createSupervisor(options()));
    expect(next.groups().map((info) => info.path)).toEqual(['session']);
    expect(next.lastReconcile).toMatchObject({ killed: [expect.any(String)] });
    await next.shutdown();
    expectWalks(
      [
        K.boot,
        K.booted,
        K.addGroup,
        K.spawn,
        K.admitted,
        K.shutdown,
        K.ended,
        K.groupEnded,
        K.drained,
        K.closed,
      ],
      [
        K.boot,
        K.addGroupBooting,
        K.adopt,
        K.ended,
        K.booted,
        K.shutdown,
        K.groupEnded,
        K.drained,
        K.closed,
      ],
    );
  });

  // Runs last: every transition of the supervisor machine was taken by a real supervisor.
  test('every transition of the supervisor machine was taken by a real supervisor', () => {
    world = new ModelWorld('runwarden-sup-');
    recorder = new TransitionRecorder();
    const all = listTransitions(supervisorMachine).map((t) => t.key);
    expect(all.filter((key) => !verified.has(key))).toEqual([...UNREALIZABLE.keys()]);
  });
});
