// What the generator makes a release do. Each scenario runs once per mode in its own home;
// each phase is one supervisor in its own process (host.mjs). A phase ends with the release's
// own shutdown (`leave`, `kill`), with a SIGKILL from the generator once its records are
// stored (`sigkill`), or with a store write that never returns (`hook`, as the release's own
// crash tests do it), followed by a SIGKILL. Every run is reported with the state its record
// must be in when the phase ends (`now`) and when the scenario ends (`final`).
import {
  adoptedThenHung,
  bootOver,
  cancelInto,
  finishRuns,
  fullSpec,
  leaveForBoot,
  LONG,
  loseRunHost,
  MORTAL,
  sigkilled,
  startReplacement,
  STUBBORN,
} from './scenario-runs.mjs';

/** One supervisor name for every scenario (its own host lock: nobody else's tests collide). */
export const SUPERVISOR_NAME = 'fixtures';

/** The three kinds of run: plain child processes, plain PTYs, durable PTYs (run host). */
export const MODES = {
  child: { mode: 'child' },
  pty: { mode: 'pty' },
  durable: { mode: 'pty', durable: true },
};

// Supervisors SIGKILLed in `spawning`: after the write-ahead record, before and after the spawn.
const beforeSpawn = {
  end: 'hook',
  hook: {
    state: 'spawning',
    store: true,
    leaves: 'spawning',
    label: 'write-ahead record stored, supervisor SIGKILLed before the spawn',
  },
  run: (t) => void t.sup.spawn(t.sh(LONG)).catch(() => undefined),
};
const beforeIdentity = {
  end: 'hook',
  hook: {
    state: 'running',
    store: false,
    leaves: 'spawning',
    label: 'spawned, supervisor SIGKILLed before the identity was stored',
  },
  run: (t) => void t.sup.spawn(t.sh(LONG)).catch(() => undefined),
};

export const SCENARIOS = [
  {
    id: 'left',
    phases: [
      {
        end: 'leave',
        run: async (t) => {
          await t.spawn(
            'running, every spec option set, left by shutdown({runs:"leave"})',
            'running',
            fullSpec(t),
          );
          const idle = await t.spawn(
            'idle (idleAfterMs 300), left by shutdown({runs:"leave"})',
            'running',
            t.sh(LONG, { idleAfterMs: 300 }),
          );
          await t.waitState(idle, 'idle');
          t.report(idle.id, 'idle (idleAfterMs 300), left by shutdown({runs:"leave"})', 'idle');
        },
      },
    ],
  },
  { id: 'crashed-running', phases: [sigkilled('running, supervisor SIGKILLed', 'running', LONG)] },
  {
    id: 'crashed-finalizing',
    phases: [
      sigkilled(
        'cancelled, ignores SIGTERM (grace 60 s), supervisor SIGKILLed while finalizing',
        'finalizing',
        STUBBORN,
        { killGraceMs: 60_000 },
        cancelInto,
      ),
    ],
  },
  {
    id: 'crashed-replacing',
    phases: [
      {
        end: 'sigkill',
        run: (t) =>
          startReplacement(t, 'fixture-slot', 60_000, [
            'scope predecessor ignoring SIGTERM (grace 60 s), supervisor SIGKILLed while replaced',
            'successor waiting for its predecessor, supervisor SIGKILLed',
          ]),
      },
    ],
  },
  { id: 'crashed-before-spawn', phases: [beforeSpawn] },
  { id: 'crashed-before-identity', phases: [beforeIdentity] },
  { id: 'finished', phases: [{ end: 'kill', run: finishRuns }] },
  {
    id: 'boot',
    phases: [
      { end: 'sigkill', run: leaveForBoot, after: ['go', 'gone'] },
      { end: 'leave', onOrphan: 'kill' },
    ],
  },
  {
    id: 'orphaned',
    phases: [
      sigkilled('running, supervisor SIGKILLed', 'running', LONG),
      adoptedThenHung('orphaned: restored at boot, next supervisor SIGKILLed before deciding'),
    ],
  },
  {
    id: 'orphaned-finalizing',
    phases: [
      sigkilled(
        'finalizing at the first crash',
        'finalizing',
        STUBBORN,
        { killGraceMs: 60_000 },
        cancelInto,
      ),
      adoptedThenHung(
        'orphaned while finalizing (cancelled): restored at boot, next supervisor SIGKILLed',
      ),
    ],
  },
  {
    id: 'host-died',
    modes: ['durable'],
    phases: [
      {
        end: 'sigkill',
        after: ['kill-run-host', 'gone'],
        // node-pty 1.1.0 leaks each PTY master into later PTY children (no FD_CLOEXEC):
        // the run that must hang up is spawned last, so no other run holds its master.
        run: async (t) => {
          await t.spawn(
            'run host SIGKILLed too: ignores SIGHUP, killed at boot',
            'running',
            t.sh(LONG),
            { final: 'done:orphan-killed' },
          );
          await t.spawn('run host SIGKILLed too: its PTY hung up, lost', 'running', t.sh(MORTAL), {
            final: 'done:lost',
            gone: true,
          });
        },
      },
      { end: 'kill', onOrphan: 'kill' },
    ],
  },
  {
    id: 'quarantine',
    modes: ['child'],
    phases: [
      {
        end: 'kill',
        run: async (t) => {
          const run = await t.spawn('source of the unusable copies', 'running', t.sh('exit 0'));
          t.report(run.id, 'source of the unusable copies', `done:${(await run.exited).reason}`);
        },
      },
      { end: 'kill', inject: true },
    ],
  },
  {
    id: 'boot-before-spawn',
    phases: [beforeSpawn, bootOver('never spawned: lost at the next boot', () => 'done:lost')],
  },
  {
    id: 'boot-before-identity',
    phases: [
      beforeIdentity,
      bootOver(
        'spawned, identity never stored: next boot (kill) ends it, or a durable one is reattached',
        (mode) => (mode === 'durable' ? 'running' : 'done:orphan-killed'),
      ),
    ],
  },
  { id: 'host-died-live', modes: ['durable'], phases: [{ end: 'kill', run: loseRunHost }] },
];
