// The events the real world can produce for a model run in each state, with the facts
// they carry (what a process, a fixture, the clock or a later boot can cause).
import type { OrphanFacts } from '../../src/machines/decide-orphan.js';
import { groupEvents } from './model-group-world.js';
import { OUTPUT_STEP_MS, REBOOT_GAP_MS, type ModelEvent, type ModelRun } from './model-paths.js';
import { fakeIdentity } from './run-fixtures.js';

/** The events the real world can produce for `run` now, with the facts they carry. */
export function worldEvents(run: ModelRun): ModelEvent[] {
  const { context: c, world: w } = run;
  const at = w.clock;
  const cancel = { type: 'CANCEL', reason: 'cancelled', at } as const;
  const release = { type: 'RELEASE', at } as const;
  const exited = { type: 'EXITED', exitCode: null, signal: null, at } as const;
  const held = c.origin === 'spawn';
  const tick =
    w.armedAt === null ? [] : [{ type: 'TICK', now: Math.max(w.clock, w.armedAt) } as const];
  const output = { type: 'OUTPUT', bytes: 4, at: at + OUTPUT_STEP_MS } as const;
  // An output waits for the clock: only where the watchdog does not fire meanwhile.
  const outputs = held && w.armedAt !== null && at + OUTPUT_STEP_MS < w.armedAt ? [output] : [];
  // A restarted generation's write-ahead and launch go by themselves: the driver holds,
  // fails or interrupts only the first generation's (its plan is made once per path).
  const first = c.generation === 1;
  // Restarting runs take the plain way through `spawning` and `finalizing` (no failed
  // launch, no stubborn or talkative fixture): every generation runs the same fixture. A
  // run of a group may be stubborn in its first generation's `finalizing` (later ones are
  // then ended by the driver, as any stubborn run's): its groups stop it there.
  const restarts = c.descriptor.restart !== 'never';
  const grouped = w.group !== null;
  const stubborn = !restarts || (grouped && first);
  const group = (state: typeof run.value) =>
    w.group === null ? [] : groupEvents(state, c, w.group, at, stubborn);
  switch (run.value) {
    case 'recording':
      // A later generation's write-ahead lands, or the store refuses it (the driver gates it).
      if (!first) return [{ type: 'WRITE_AHEAD_DONE' }, { type: 'WRITE_AHEAD_FAILED' }];
      return [
        { type: 'WRITE_AHEAD_DONE' },
        { type: 'WRITE_AHEAD_FAILED' },
        cancel,
        release,
        ...group('recording'),
      ];
    case 'replacing':
      return [{ type: 'PREDECESSORS_DONE' }, cancel, release, ...group('replacing')];
    case 'spawning':
      // Caused the moment it enters `spawning`, before the launch reports (a group's stop
      // comes after the driver's cancel or release: never before them).
      return [
        ...(first && c.endReason === null ? [cancel] : []),
        ...(first && c.exit === null && !c.recycling ? [release] : []),
        { type: 'SPAWNED', pid: fakeIdentity.pid, identity: fakeIdentity, at },
        ...(restarts
          ? []
          : [
              {
                type: 'SPAWN_FAILED',
                error: { code: 'E_COMMAND_NOT_FOUND', message: 'missing' },
                at,
              } as const,
            ]),
        ...group('spawning'),
      ];
    case 'running':
    case 'idle':
      return [...outputs, ...tick, exited, cancel, release, ...group(run.value)];
    case 'finalizing':
      if (c.processExit !== null)
        return [{ type: 'TREE_DEAD', forced: false, survivors: [], error: null, at }];
      // A fixture that was not ready when SIGTERM came died of it: nothing else to see.
      if (w.proc !== 'alive' || !w.ready || !stubborn) return [exited];
      return [
        // Its SIGTERM line: once, from a process whose pipes this supervisor holds, and
        // reported at once only after a quiet interval.
        ...(held &&
        !grouped &&
        !w.termSaid &&
        (c.lastOutputAt === null || at - c.lastOutputAt >= OUTPUT_STEP_MS)
          ? [{ type: 'OUTPUT', bytes: 5, at } as const]
          : []),
        exited,
        // Too late to change its end; a stop request all the same (no restart after it).
        ...(c.stopReason === null ? [cancel] : []),
        release,
        ...group('finalizing'),
      ];
    case 'orphaned':
      return [cancel, release, ...group('orphaned')];
    // The restart timer fires at the recorded time (the driver moves the clock there).
    case 'backoff':
      return [{ type: 'RESTART_DUE', now: c.nextStartAt ?? at }, cancel, release];
    // Its groups decide: start it again, give it up; or it is cancelled, or released.
    case 'held':
      return group('held');
    case 'released':
      return adoptions(run);
    default:
      return [];
  }
}

// How the next boot can find a released run: the facts each realizable world gives.
function adoptions(run: ModelRun): ModelEvent[] {
  const { context: c, world: w } = run;
  const at = w.clock + REBOOT_GAP_MS;
  const wasFinalizing = c.endReason !== null;
  const policy = c.descriptor.onOrphan ?? 'kill';
  const base: OrphanFacts = {
    fromEarlierBoot: false,
    rootCheck: 'alive',
    markedProcesses: 1,
    wasFinalizing,
    hosted: false,
    policy,
  };
  const adopt = (facts: OrphanFacts, root: typeof c.identity) =>
    ({ type: 'ADOPT', facts, root, at }) as const;
  const gone = adopt(
    { ...base, rootCheck: c.identity === null ? null : 'exited', markedProcesses: 0 },
    null,
  );
  const unverifiable = adopt({ ...base, rootCheck: 'uncertain', markedProcesses: 0 }, null);
  // A run of a group is adopted here as it waited for its group (held): nothing of it
  // lives, and its rebuilt group starts it again; or live, with an identity that cannot be
  // read (never signalled: it waits in `orphaned` for its group). (A live one is otherwise
  // judged as any orphan, which the other variants take; its kill would race its group's
  // rebuild.)
  if (w.group !== null) {
    if (c.nextStartAt !== null) return [gone];
    return c.identity !== null && w.proc === 'alive' && !w.foreign ? [unverifiable] : [];
  }
  if (w.foreign) return [unverifiable];
  if (c.identity === null || w.proc !== 'alive') return [gone];
  return [adopt(base, c.identity), gone, unverifiable];
}
