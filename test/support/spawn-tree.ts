// Spawns real process trees for the OS-layer tests and ends every one of them afterwards,
// verified dead. Processes are only ever signalled by a pid we spawned (while Node has
// not reaped it, so the pid is still ours) or through signalVerified.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { collectRunTree } from '../../src/os/collect-run-tree.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { readProcStat } from '../../src/os/proc-fs.js';
import {
  checkIdentity,
  identityFromStat,
  type ProcessIdentity,
} from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { waitUntil } from './wait-for.js';

/** How a spawned root process ended. */
export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A process the test started, plus whatever it forked. */
export interface SpawnedTree {
  /** Value of RUNWARDEN_RUN_ID in the tree's environment; `null` for an unmarked process. */
  readonly runId: string | null;
  /** `RUNWARDEN_RUN_ID=<runId>`, the query marker; a never-used marker when unmarked. */
  readonly marker: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Identity of the root, read right after spawn (exec has happened by then). */
  readonly root: ProcessIdentity;
  /** Resolves once Node has reaped the root. */
  readonly exited: Promise<ExitStatus>;
  /** Whether the root has been reaped (its pid may then be reused). */
  readonly reaped: () => boolean;
}

export interface SpawnOptions {
  /**
   * Run id for the marker; `null`: no marker at all. Default: none for spawnProcess, a fresh
   * unique one for spawnTree. Mark only what needs it: marked processes are what the suite's
   * leak check (also that of a concurrent run) looks for and ends.
   */
  readonly runId?: string | null;
  /** setsid() the root (own session and group). Default true. */
  readonly detached?: boolean;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run as user nobody (uid and gid 65534): another user's process. Default false. */
  readonly asNobody?: boolean;
}

const spawned = new Set<SpawnedTree>();
const NOBODY = 65534;

/** A run id no other test (or test run) uses. */
export function uniqueRunId(label = 'test'): string {
  return `rw-test-${label}-${process.pid}-${randomUUID()}`;
}

/** Spawns `command args`; with the run marker in its environment only if `runId` is given. */
export function spawnProcess(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): SpawnedTree {
  const runId = options.runId ?? null;
  // Never inherit a marker: only the run id chosen here may be in the tree's environment.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries({ ...process.env, ...options.env }).filter(([key]) => key !== RUN_MARKER),
  );
  if (runId !== null) env[RUN_MARKER] = runId;
  const child = spawn(command, args, {
    detached: options.detached ?? true,
    ...(options.asNobody === true ? { uid: NOBODY, gid: NOBODY } : {}),
    env,
    stdio: 'ignore',
  });
  let reaped = false;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      reaped = true;
      resolve({ code, signal });
    });
  });
  // A failed spawn leaves `pid` undefined (thrown below); the event only needs a listener.
  child.once('error', () => undefined);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn ${command}`);
  // libuv returns from spawn only after exec succeeded, and Node reaps only on a later turn
  // of the event loop: the stat is there, even if the process already exited (a zombie).
  const stat = readProcStat(pid);
  if (stat === undefined) throw new Error(`spawned ${command} (pid ${pid}) has no stat`);
  const root = identityFromStat(stat);
  const tree: SpawnedTree = {
    runId,
    marker: `${RUN_MARKER}=${runId ?? `never-${randomUUID()}`}`,
    child,
    pid,
    root,
    exited,
    reaped: () => reaped,
  };
  spawned.add(tree);
  return tree;
}

/** Spawns `bash -c script` as the root of a (by default marked, detached) tree. */
export function spawnTree(script: string, options: SpawnOptions = {}): SpawnedTree {
  const runId = options.runId === undefined ? uniqueRunId() : options.runId;
  return spawnProcess('bash', ['-c', script], { ...options, runId });
}

/** Live processes carrying this tree's marker, excluding zombies. */
export function liveMarked(tree: SpawnedTree): ProcessIdentity[] {
  if (tree.runId === null) return [];
  return findMarkedProcesses(RUN_MARKER)
    .found.filter((p) => p.value === tree.runId)
    .map((p) => p.identity);
}

/** SIGKILLs a tree (group, descendants, marker carriers) and waits until all of it is dead. */
export async function destroyTree(tree: SpawnedTree): Promise<void> {
  // Snapshot first, while the root lives: a child that left the group and dropped the
  // marker is tied to the run only by its parent chain, which dies with the root.
  const query = { marker: tree.marker, root: tree.root };
  for (const member of collectRunTree(query).members) signalVerified(member.identity, 'SIGKILL');
  if (!tree.reaped()) {
    // Not reaped: the pid (and, when detached, the group it leads) is still ours.
    try {
      process.kill(tree.root.pgid === tree.pid ? -tree.pid : tree.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await waitUntil(
    () => {
      const members = collectRunTree(query).members;
      const left = [...members.map((m) => m.identity), ...liveMarked(tree)];
      for (const identity of left) signalVerified(identity, 'SIGKILL');
      return left.length === 0;
    },
    10_000,
    `tree ${tree.marker} (root ${tree.pid}) to die`,
  );
  await waitUntil(tree.reaped, 10_000, `root ${tree.pid} to be reaped`);
  if (checkIdentity(tree.root) === 'alive') throw new Error(`root ${tree.pid} survived cleanup`);
}

/** Ends every tree spawned so far; call from afterEach. */
export async function destroyAllSpawned(): Promise<void> {
  const trees = [...spawned];
  spawned.clear();
  const results = await Promise.allSettled(trees.map(destroyTree));
  const failure = results.find((r) => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}
