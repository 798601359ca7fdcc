// The processes a model path starts, each the model's quiet fixture (FIXTURE): the subject,
// as its plan says, and the runs around it (a predecessor that ignores SIGTERM, the sibling
// of its groups). Each says it is ready (its SIGTERM handler is set) in a file of its own.
import { join } from 'node:path';
import type { RunSpec } from '../../src/index.js';
import { FIXTURE, type Plan } from './model-steps.js';
import type { ModelWorld } from './model-world.js';

// Long enough that only the driver ends a process ignoring SIGTERM (by verified identity):
// the grace never runs out while the driver acts, however loaded the machine is.
const STUBBORN_GRACE_MS = 60_000;
const GRACE_MS = 1_500;

/** A fixture's spec, and the file it creates once it is ready. */
export interface Fixture {
  readonly spec: RunSpec;
  readonly ready: string;
}

/** The fixture with `flags`, started as `spec` says. */
export function fixture(world: ModelWorld, flags: readonly string[], spec: object): Fixture {
  const ready = join(world.home.path, `ready-${world.nextId()}`);
  return {
    ready,
    spec: { command: process.execPath, args: ['-e', FIXTURE, ready, ...flags], ...spec },
  };
}

/** A predecessor in the subject's scope that ignores SIGTERM: it holds `replacing`. */
export function stubbornPredecessor(world: ModelWorld): Fixture {
  return fixture(world, ['--ignore-term'], {
    scopeKey: 'model',
    killGraceMs: STUBBORN_GRACE_MS,
  });
}

/**
 * The sibling of the subject's groups: it fails (exit 1) when told, and starts again. With
 * `reattached`, the next boot reattaches it (no pipes then: the driver kills it, and an
 * adopted run's exit code is unknown, so it restarts after any end but a deliberate one).
 */
export function sibling(world: ModelWorld, reattached = false): Fixture {
  return fixture(world, [], {
    killGraceMs: GRACE_MS,
    restart: reattached ? 'always' : 'on-failure',
    restartDelayMs: 0,
    ...(reattached ? { onOrphan: 'reattach' } : {}),
  });
}

/** The subject, as its plan says (a group picks itself: `group.spawn`, a spec names none). */
export function subject(world: ModelWorld, p: Plan): Fixture {
  const flags = [...(p.ignoreTerm ? ['--ignore-term'] : []), ...(p.sayTerm ? ['--say-term'] : [])];
  const descriptor = Object.fromEntries(
    Object.entries(p.descriptor).filter(([key]) => key !== 'group'),
  );
  return fixture(world, flags, {
    ...(p.spawnFails ? { command: 'runwarden-no-such-command', args: [] } : {}),
    ...descriptor,
    scopeKey: 'model',
    killGraceMs: p.ignoreTerm ? STUBBORN_GRACE_MS : GRACE_MS,
  });
}
