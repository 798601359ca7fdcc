// Ends a run's whole tree: collect first, soft signals, grace, SIGKILL to whatever of the
// set still lives, then wait until every member is verified dead (zombies count as dead).
// A run with a cgroup is ended by `cgroup.kill` too, and is dead only once the kernel says
// its cgroup is empty (`populated 0`): that holds escapees no scan can recognize.
// Terminations running at the same time share their scans (termination-loop.ts).
import { cgroupLeft, requestCgroupKill } from './cgroup/end-run-cgroup.js';
import type { RunTree, RunTreeQuery, TreeMember } from './collect-run-tree.js';
import { checkIdentity, pidGone } from './process-identity.js';
import { signalVerified } from './signal-verified.js';
import { runInTerminationLoop } from './termination-loop.js';

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
  /** Why the run's cgroup could not be read or ended (its members are uncertain), or null. */
  readonly cgroupError: string | null;
}

/** Terminates every member of a run's tree and verifies each one dead. */
export function terminateRunTree(options: TerminateOptions): Promise<TerminationReport> {
  return runInTerminationLoop(new TreeTermination(options));
}

// Rescans after the tree looked dead (members may fork while dying), and SIGKILL rounds.
const RESCANS = 3;

type Phase = 'start' | 'grace' | 'kill' | 'kill-wait' | 'done';

/**
 * One run's termination as steps of the shared loop: before each scan the loop asks every
 * termination whether it needs one (`prepare`, which prunes verified-dead members), takes
 * one scan for all that do, and hands each its own tree (`consume`).
 */
export class TreeTermination {
  readonly pollMs: number;
  private readonly killWaitMs: number;
  private phase: Phase = 'start';
  private readonly tracked = new Map<string, TreeMember>();
  private readonly all = new Map<string, TreeMember>();
  private readonly refused = new Map<string, TreeMember>();
  private readonly failures: SignalFailure[] = [];
  private unreadable: number[] = [];
  private cgroupError: string | null = null;
  private forced = false;
  private graceEnds = 0;
  private rescans = 0;
  private killRound = 0;
  private waitEnds = 0;
  /** Set when the next step is due at once, without waiting for a poll. */
  immediate = false;

  constructor(readonly options: TerminateOptions) {
    this.pollMs = options.pollMs ?? 20;
    this.killWaitMs = options.killWaitMs ?? 3000;
  }

  get done(): boolean {
    return this.phase === 'done';
  }

  /** How long this termination may wait before its next step. */
  waitMs(now: number): number {
    if (this.phase === 'grace') return Math.min(this.pollMs, Math.max(1, this.graceEnds - now));
    return this.pollMs;
  }

  /** Advances on time and liveness; returns whether the next step needs a fresh scan. */
  prepare(now: number): boolean {
    this.immediate = false;
    if (this.aborted()) return this.finish();
    switch (this.phase) {
      case 'grace':
        if (now >= this.graceEnds) this.phase = 'kill';
        // All verified dead: rescan before declaring the tree dead.
        else return this.prune();
        return true;
      case 'kill-wait':
        // All verified dead: another round scans (the cgroup's members too) before the end.
        if (this.prune()) return this.nextKillRound();
        if (now >= this.waitEnds) this.finish(); // SIGKILL did not take: report survivors
        return false;
      default:
        return !this.done;
    }
  }

  /** Takes this run's tree from the scan `prepare` asked for. */
  consume(tree: RunTree, now: number): void {
    const fresh = this.add(tree);
    if (this.phase === 'start') {
      // Nothing of the run was alive at the scan, so nothing was dying and able to fork: the
      // tree is dead (the common end of a run that exited on its own, after one scan).
      if (fresh.length === 0) {
        this.finish();
        return;
      }
      if (this.options.graceMs > 0) {
        this.sendSoft(fresh);
        this.graceEnds = now + this.options.graceMs;
        this.phase = 'grace';
        this.immediate = true;
        return;
      }
      // No grace: nothing would have time to act on a soft signal. SIGKILL at once.
      this.phase = 'kill';
    }
    if (this.phase === 'grace') {
      if (fresh.length > 0 && ++this.rescans <= RESCANS) {
        this.sendSoft(fresh);
        return;
      }
      this.phase = 'kill'; // the scan just taken serves the first SIGKILL round too
    }
    // The kernel ends the run's cgroup at once (members are its own list: nothing to verify).
    if (!this.aborted()) this.killCgroup();
    // Every member is re-checked right before its SIGKILL; the dead ones are dropped there.
    this.forced = this.send(this.tracked.values(), ['SIGKILL']).sent || this.forced;
    if (this.tracked.size === 0) {
      this.finish();
      return;
    }
    this.waitEnds = now + this.killWaitMs;
    this.phase = 'kill-wait';
    this.immediate = true;
  }

  /** The report, once done. */
  report(): TerminationReport {
    const survivors = [...this.tracked.values(), ...this.refused.values()].filter(
      (member) => checkIdentity(member.identity) === 'alive',
    );
    // Whatever the kernel still lists in the cgroup is alive, seen by a scan or not.
    const seen = new Set(survivors.map((member) => member.identity.pid));
    try {
      for (const member of cgroupLeft(this.options.query.cgroup))
        if (!seen.has(member.identity.pid)) survivors.push(member);
    } catch (error) {
      this.cgroupError ??= (error as Error).message;
    }
    return {
      members: [...this.all.values()],
      forced: this.forced,
      survivors,
      failures: this.failures,
      unreadable: this.unreadable,
      cgroupError: this.cgroupError,
    };
  }

  private killCgroup(): void {
    try {
      if (requestCgroupKill(this.options.query.cgroup)) this.forced = true;
    } catch (error) {
      this.cgroupError ??= (error as Error).message;
    }
  }

  private nextKillRound(): boolean {
    if (++this.killRound > RESCANS) return this.finish();
    this.phase = 'kill';
    return true;
  }

  private finish(): false {
    this.phase = 'done';
    return false;
  }

  private aborted(): boolean {
    return this.options.signal?.aborted === true;
  }

  // Adds members not seen before; returns them.
  private add(tree: RunTree): TreeMember[] {
    this.unreadable = tree.unreadable;
    this.cgroupError ??= tree.cgroupError ?? null;
    const fresh = tree.members.filter((m) => !this.all.has(keyOf(m)));
    for (const member of fresh) {
      this.all.set(keyOf(member), member);
      this.tracked.set(keyOf(member), member);
    }
    return fresh;
  }

  // The soft signals, then SIGCONT to a member that was stopped (it must run to act on them;
  // one stopped after its re-check still ends by SIGKILL after the grace).
  private sendSoft(members: readonly TreeMember[]): void {
    const stopped = this.send(members, this.options.softSignals).stopped;
    this.send(stopped, ['SIGCONT']);
  }

  // Signals each member, re-checking its identity before every signal. A member found dead
  // (or no longer the same process) is dropped from the tracked set.
  private send(
    members: Iterable<TreeMember>,
    signals: readonly NodeJS.Signals[],
  ): { sent: boolean; stopped: TreeMember[] } {
    let sent = false;
    const stopped: TreeMember[] = [];
    if (this.aborted()) return { sent, stopped };
    for (const member of members) {
      let wasStopped = false;
      for (const signal of signals) {
        const outcome = signalVerified(member.identity, signal);
        if (outcome.kind === 'sent') {
          sent = true;
          wasStopped ||= outcome.stopped;
          continue;
        }
        if (outcome.kind === 'skipped') {
          this.tracked.delete(keyOf(member));
          break;
        }
        this.failures.push({
          pid: member.identity.pid,
          signal,
          code: outcome.code,
          message: outcome.message,
        });
        // Refused (EPERM): not ours to end; stop waiting for it, report it as a survivor.
        this.tracked.delete(keyOf(member));
        this.refused.set(keyOf(member), member);
        break;
      }
      if (wasStopped) stopped.push(member);
    }
    return { sent, stopped };
  }

  // Drops members that are verified dead; returns true when none is left.
  private prune(): boolean {
    for (const [key, member] of this.tracked) {
      if (pidGone(member.identity.pid) || checkIdentity(member.identity) !== 'alive')
        this.tracked.delete(key);
    }
    return this.tracked.size === 0;
  }
}

function keyOf(member: TreeMember): string {
  return `${member.identity.pid}:${member.identity.startTicks}`;
}
