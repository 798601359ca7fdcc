// Ends a run's whole tree: collect first, soft signals, grace, SIGKILL to whatever of the
// set still lives, then wait until every member is verified dead (zombies count as dead).
import { setTimeout as sleep } from 'node:timers/promises';
import { collectRunTree, type RunTreeQuery, type TreeMember } from './collect-run-tree.js';
import { checkIdentity } from './process-identity.js';
import { signalVerified } from './signal-verified.js';

/** How to end one run's tree. */
export interface TerminateOptions {
  readonly query: RunTreeQuery;
  /** Time between the soft signals and SIGKILL. */
  readonly graceMs: number;
  /** Sent first, in order. PTY runs add SIGHUP: interactive shells ignore SIGTERM. */
  readonly softSignals: readonly NodeJS.Signals[];
  /** How often liveness is re-checked. */
  readonly pollMs?: number;
  /** Bound on waiting for SIGKILLed processes to disappear (D-state can delay them). */
  readonly killWaitMs?: number;
  /** Aborting stops termination before its next signal (the supervisor is leaving). */
  readonly signal?: AbortSignal;
}

/** A signal the kernel refused, e.g. EPERM for another user's process. */
export interface SignalFailure {
  readonly pid: number;
  readonly signal: NodeJS.Signals;
  readonly code: string;
  readonly message: string;
}

/** What termination did and what it verified. */
export interface TerminationReport {
  /** Every process found to belong to the run, across all scans. */
  readonly members: readonly TreeMember[];
  /** Whether SIGKILL had to be sent to any member. */
  readonly forced: boolean;
  /** Members still verified alive at the end. Empty means the tree is dead. */
  readonly survivors: readonly TreeMember[];
  readonly failures: readonly SignalFailure[];
  /** Pids whose environment could not be read: reported, never signalled. */
  readonly unreadable: readonly number[];
}

const RESCANS = 3;

/** Terminates every member of a run's tree and verifies each one dead. */
export async function terminateRunTree(options: TerminateOptions): Promise<TerminationReport> {
  const pollMs = options.pollMs ?? 20;
  const killWaitMs = options.killWaitMs ?? 3000;
  const tracked = new Map<string, TreeMember>();
  const all = new Map<string, TreeMember>();
  const refused = new Map<string, TreeMember>();
  const failures: SignalFailure[] = [];
  let unreadable: number[] = [];
  let forced = false;

  // Adds members not seen before; returns them.
  const scan = (): TreeMember[] => {
    const tree = collectRunTree(options.query);
    unreadable = tree.unreadable;
    const fresh = tree.members.filter((m) => !all.has(keyOf(m)));
    for (const member of fresh) {
      all.set(keyOf(member), member);
      tracked.set(keyOf(member), member);
    }
    return fresh;
  };
  const aborted = (): boolean => options.signal?.aborted === true;
  const send = (members: Iterable<TreeMember>, signals: readonly NodeJS.Signals[]): boolean => {
    let sent = false;
    if (aborted()) return false;
    for (const member of members) {
      for (const signal of signals) {
        const outcome = signalVerified(member.identity, signal);
        if (outcome.kind === 'sent') sent = true;
        if (outcome.kind === 'failed') {
          failures.push({
            pid: member.identity.pid,
            signal,
            code: outcome.code,
            message: outcome.message,
          });
          // Refused (EPERM): not ours to end; stop waiting for it, report it as a survivor.
          tracked.delete(keyOf(member));
          refused.set(keyOf(member), member);
          break;
        }
      }
    }
    return sent;
  };
  // Drops members that are verified dead; returns true when none is left.
  const prune = (): boolean => {
    for (const [key, member] of tracked) {
      if (checkIdentity(member.identity) !== 'alive') tracked.delete(key);
    }
    return tracked.size === 0;
  };
  const softSignals = [...options.softSignals, 'SIGCONT' as const]; // SIGCONT: a stopped process must run to see SIGTERM.

  send(scan(), softSignals);
  const graceEnds = Date.now() + options.graceMs;
  for (let rescans = 0; Date.now() < graceEnds;) {
    if (prune()) {
      // Members may have forked while dying: rescan before declaring the tree dead.
      const fresh = scan();
      if (fresh.length === 0 || ++rescans > RESCANS) break;
      send(fresh, softSignals);
    }
    await sleep(Math.min(pollMs, Math.max(1, graceEnds - Date.now())));
  }

  for (let round = 0; round <= RESCANS && !aborted(); round++) {
    scan();
    if (prune()) break;
    forced = send(tracked.values(), ['SIGKILL']) || forced;
    const waitEnds = Date.now() + killWaitMs;
    while (!prune() && Date.now() < waitEnds) await sleep(pollMs);
    if (tracked.size > 0) break; // SIGKILL did not take within the bound: report survivors.
  }

  return {
    members: [...all.values()],
    forced,
    survivors: [...tracked.values(), ...refused.values()].filter(
      (member) => checkIdentity(member.identity) === 'alive',
    ),
    failures,
    unreadable,
  };
}

function keyOf(member: TreeMember): string {
  return `${member.identity.pid}:${member.identity.startTicks}`;
}
