// Waits for the members of a spawned run tree and picks them apart by command line, for the
// collectRunTree and terminateRunTree tests (as root and as nobody).
import {
  collectRunTree,
  type MembershipReason,
  type RunTreeQuery,
  type TreeMember,
} from '../../src/os/collect-run-tree.js';
import { cmdlineOf } from './proc-info.js';
import { spawnTree, type SpawnedTree } from './spawn-tree.js';
import { waitUntil } from './wait-for.js';

// bash execs its last command in place, so the root pid ends up running `sleep 63`; the
// double-forked `sleep 61` is orphaned (reparented away) but stays in the group and session;
// `sleep 62` moved to a session of its own and can only be found through the marker.
export const ESCAPEES = '(sleep 61 &); (setsid sleep 62 &); sleep 63';

/** Members keyed by command line. */
export function byCommand(members: readonly TreeMember[]): Map<string, TreeMember> {
  return new Map(members.map((member) => [cmdlineOf(member.identity.pid) ?? '?', member]));
}

/** The membership reasons in a stable order, to compare as a whole. */
export function sorted(via: readonly MembershipReason[]): MembershipReason[] {
  return [...via].sort();
}

/** The members' pids, in their order. */
export function pidsOf(members: readonly TreeMember[]): number[] {
  return members.map((m) => m.identity.pid);
}

/** The member running `command`; throws if there is none. */
export function member(members: Map<string, TreeMember>, command: string): TreeMember {
  const found = members.get(command);
  if (found === undefined) throw new Error(`no member runs ${command}`);
  return found;
}

/**
 * Waits until the run's members are exactly these command lines (no shell in between). The
 * scan's comm must agree with the command read after it: a process caught mid-exec (say
 * `setsid` before it became `sleep 62`) would otherwise pair an old scan with new arguments.
 */
export async function waitForMembers(
  query: RunTreeQuery,
  commands: readonly string[],
): Promise<Map<string, TreeMember>> {
  return waitUntil(
    () => {
      const members = byCommand(collectRunTree(query).members);
      const settled = [...members].every(([command, m]) => command.split(' ')[0] === m.comm);
      return settled && members.size === commands.length && commands.every((c) => members.has(c))
        ? members
        : undefined;
    },
    5000,
    `members ${commands.join(', ')}`,
  );
}

/** Spawns the ESCAPEES tree and waits until its three sleeps are its members. */
export async function spawnEscapees(): Promise<{
  tree: SpawnedTree;
  members: Map<string, TreeMember>;
}> {
  const tree = spawnTree(ESCAPEES);
  const members = await waitForMembers({ marker: tree.marker, root: tree.root }, [
    'sleep 61',
    'sleep 62',
    'sleep 63',
  ]);
  return { tree, members };
}

/** Waits until the run's live members run exactly these command lines; returns their pids. */
export async function waitForCommands(
  tree: SpawnedTree,
  commands: readonly string[],
): Promise<number[]> {
  return waitUntil(
    () => {
      const members = collectRunTree({ marker: tree.marker, root: tree.root }).members;
      const pidByCommand = new Map(
        // Only members whose scanned comm agrees with their command line (not mid-exec).
        members
          .map((m) => [cmdlineOf(m.identity.pid), m] as const)
          .filter(([command, m]) => command?.split(' ')[0] === m.comm)
          .map(([command, m]) => [command, m.identity.pid]),
      );
      if (members.length !== commands.length) return undefined;
      const pids = commands.map((command) => pidByCommand.get(command));
      return pids.every((pid) => pid !== undefined) ? pids : undefined;
    },
    5000,
    `members ${commands.join(', ')}`,
  );
}
