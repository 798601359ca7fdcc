// The trees the group machine's model-based test starts from: groups (strategy, intensity)
// and their members in start order, plus one extra member or group a path may add later.
// A member is a shell loop that logs its start, its readiness and each SIGTERM (with its
// generation) to one shared file, and exits 1 when its fail file appears; a stubborn one
// ignores SIGTERM, so its group waits for it (the driver ends it by verified identity) while
// the path goes on. A member signalled as soon as its process exists (its group took its
// CHILD_STARTED and stops it in the same step) may die of the signal before its trap is set:
// the model lets it end by itself, and the driver ends it (group-model.ts `stoppedAtStart`).
import { join } from 'node:path';
import type { GroupSettings } from '../../src/options/group-options.js';
import type { RunSpec } from '../../src/index.js';
import type { GroupStrategy, RunDescriptor } from '../../src/types.js';
import { descriptor } from './run-fixtures.js';

export interface GroupItem {
  readonly kind: 'group';
  readonly path: string;
  readonly settings: GroupSettings;
  /** The store refuses its record: it is never created. */
  readonly refused: boolean;
  /** The driver may hold its record's write-ahead (ADD_HOLD), until OPEN_GROUP. */
  readonly gated: boolean;
}
export interface MemberItem {
  readonly kind: 'run';
  readonly name: string;
  readonly path: string;
  readonly stubborn: boolean;
  readonly restart: 'on-failure' | 'never';
  /** It replaces its scope's earlier runs (it asks the supervisor through its groups). */
  readonly scoped: boolean;
  /**
   * The driver may hold or refuse the write-ahead of its next generation, and cancel it by
   * itself (`supervisor.cancel(id)`).
   */
  readonly gated: boolean;
}
export type TreeItem = GroupItem | MemberItem;

export interface Variant {
  /** Created in this order before the path starts (children in start order). */
  readonly setup: readonly TreeItem[];
  /** What a path may add once (SPAWN a member, ADD a group). */
  readonly extra: readonly TreeItem[];
  /** How many events its search goes before a shutdown, when more than the test's. */
  readonly depth?: number;
}

type RecordGate = 'refused' | 'gated' | null;
const G = (path: string, strategy: GroupStrategy, maxRestarts: number, record: RecordGate = null) =>
  ({
    kind: 'group',
    path,
    settings: { strategy, maxRestarts, restartWindowMs: 60_000 },
    refused: record === 'refused',
    gated: record === 'gated',
  }) as const satisfies GroupItem;
type How = 'stubborn' | 'never' | 'scoped' | 'gated' | 'stubborn+gated' | null;
const R = (name: string, path: string, how: How = null) =>
  ({
    kind: 'run',
    name,
    path,
    stubborn: how?.startsWith('stubborn') === true,
    restart: how === 'never' ? 'never' : 'on-failure',
    scoped: how === 'scoped',
    gated: how?.endsWith('gated') === true,
  }) as const satisfies MemberItem;

export const VARIANTS = {
  oneForOne: {
    setup: [G('g', 'one-for-one', 1), R('a', 'g'), R('b', 'g', 'stubborn')],
    extra: [R('c', 'g', 'scoped')],
  },
  // The last member gated: the others run again while it is being started.
  oneForAll: {
    setup: [G('g', 'one-for-all', 1), R('a', 'g'), R('b', 'g', 'stubborn'), R('c', 'g', 'gated')],
    extra: [R('d', 'g')],
  },
  restForOne: {
    setup: [G('g', 'rest-for-one', 2), R('a', 'g'), R('b', 'g', 'stubborn'), R('c', 'g')],
    // Its record may be held: stopped or recycled while it writes it.
    extra: [G('g/m', 'one-for-one', 1, 'gated')],
  },
  never: {
    setup: [G('g', 'one-for-all', 1), R('a', 'g', 'never'), R('b', 'g', 'stubborn')],
    // Its record refused by the store: it is never created.
    extra: [G('g/o', 'one-for-one', 1, 'refused')],
  },
  nested: {
    setup: [
      G('g', 'one-for-one', 1),
      R('a', 'g'),
      G('g/n', 'one-for-all', 0),
      R('x', 'g/n', 'stubborn+gated'),
      R('y', 'g/n'),
    ],
    extra: [G('g/n/m', 'one-for-one', 1), R('z', 'g/n')],
  },
  // A nested group restarted by a one-for-all parent.
  nestedAll: {
    setup: [
      G('g', 'one-for-all', 1),
      R('a', 'g'),
      G('g/n', 'one-for-all', 1),
      R('x', 'g/n', 'stubborn+gated'),
      R('y', 'g/n'),
    ],
    extra: [],
  },
  // Failures while a parent starts its children again, a nested one-for-one group among them
  // (x, gated, last: the others run while it is being started).
  resuming: {
    setup: [
      G('g', 'one-for-all', 2),
      R('a', 'g'),
      G('g/n', 'one-for-one', 1),
      R('y', 'g/n'),
      R('x', 'g/n', 'gated'),
    ],
    extra: [],
  },
  // Members that end when stopped, in a nested group stopped by its parent or by its failure.
  nestedNever: {
    setup: [
      G('g', 'one-for-all', 1),
      R('b', 'g'),
      G('g/n', 'one-for-one', 0),
      R('y', 'g/n', 'never'),
      R('v', 'g/n'),
    ],
    extra: [],
  },
  // Three levels of groups: the middle one is stopped or started again by the top one while
  // the bottom one (its child, with a stubborn member) is cancelled. Started again, it waits
  // for the bottom one as its member's write-ahead is held: five events (the member's stop
  // ended, its write-ahead held, the bottom group cancelled, then the member).
  deep: {
    setup: [
      G('g', 'one-for-all', 1),
      R('a', 'g'),
      G('g/n', 'one-for-one', 1),
      G('g/n/m', 'one-for-one', 1),
      R('s', 'g/n/m', 'stubborn+gated'),
    ],
    extra: [],
    depth: 5,
  },
} as const satisfies Record<string, Variant>;
export type VariantName = keyof typeof VARIANTS;

/** Restart settings of every member, the same in the model and for real (no delay). */
const RESTART = {
  restartDelayMs: 0,
  maxRestartDelayMs: 30_000,
  maxRestarts: 5,
  restartWindowMs: 60_000,
} as const;
// Long enough that only the driver ends a stubborn member, however loaded the machine is.
const STUBBORN_GRACE_MS = 60_000;

/** The descriptor the model's run machine gets for `member`. */
export function modelDescriptor(member: MemberItem): RunDescriptor {
  return descriptor({
    group: member.path,
    ...(member.scoped ? { scopeKey: 's', replaceExistingScope: true } : {}),
    restart: member.restart,
    ...RESTART,
    killGraceMs: member.stubborn ? STUBBORN_GRACE_MS : 5_000,
    // As a spec without one: the supervisor's orphan policy decides at the next boot.
    onOrphan: null,
  });
}

/** The spec a real supervisor starts `member` from; its lines go to `dir`/session.log. */
export function memberSpec(dir: string, member: MemberItem): RunSpec {
  const log = join(dir, 'session.log');
  const fail = join(dir, `fail-${member.name}`);
  const onTerm = member.stubborn ? '' : '; exit 0';
  return {
    command: 'sh',
    args: [
      '-c',
      [
        // Quiet: any output would be an OUTPUT the model does not take (the shell says
        // "Terminated" when a signal ends its `sleep`).
        'exec >/dev/null 2>&1',
        `echo "start ${member.name} $RUNWARDEN_RUN_GENERATION" >> ${log}`,
        `trap 'echo "stop ${member.name} $RUNWARDEN_RUN_GENERATION" >> ${log}${onTerm}' TERM`,
        `echo "ready ${member.name} $RUNWARDEN_RUN_GENERATION" >> ${log}`,
        `while [ ! -f ${fail} ]; do sleep 0.05; done`,
        `rm -f ${fail}`,
        'exit 1',
      ].join('; '),
    ],
    restart: member.restart,
    ...RESTART,
    killGraceMs: member.stubborn ? STUBBORN_GRACE_MS : 5_000,
    ...(member.scoped ? { scopeKey: 's', replaceExistingScope: true } : {}),
  };
}

/** Every member and group a variant may have, setup first. */
export function itemsOf(variant: Variant): TreeItem[] {
  return [...variant.setup, ...variant.extra];
}

/** The member named `id`, or the group at path `id`, of `variant`. */
export function itemOf(variant: VariantName, id: string): TreeItem {
  const found = itemsOf(VARIANTS[variant]).find(
    (item) => (item.kind === 'run' ? item.name : item.path) === id,
  );
  if (found === undefined) throw new Error(`no member or group ${id} in ${variant}`);
  return found;
}
