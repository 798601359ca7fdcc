// What to do with a run restored from a record whose process outlived its supervisor.
// Pure: every fact is measured before, every action is taken after.
import type { IdentityCheck } from '../os/process-identity.js';
import type { OrphanPolicy } from '../types.js';

/** The facts about one orphan. */
export interface OrphanFacts {
  /** The record was written during an earlier boot of this host: its pids mean nothing now. */
  readonly fromEarlierBoot: boolean;
  /** Re-check of the recorded root identity; `null` when no pid was ever recorded. */
  readonly rootCheck: IdentityCheck | null;
  /** Live processes carrying the run's marker or in its generation's cgroup. */
  readonly markedProcesses: number;
  /** The run was already being finalized (cancelled, timed out...) when its supervisor died. */
  readonly wasFinalizing: boolean;
  /**
   * A live run host holds the run (durable runs): it reports the run's output and end, so
   * the run can be followed again even if it already ended.
   */
  readonly hosted: boolean;
  readonly policy: OrphanPolicy;
}

/**
 * - `reattach`: the verified root lives (or its run host holds it), the policy says so, and
 *   it was not being finalized;
 * - `kill`: the verified root lives (policy kill, or its finalization was interrupted: the
 *   cancellation must not be lost), or only marked escapees remain;
 * - `lost`: nothing of the run is alive (or the record predates this boot);
 * - `uncertain`: the root's identity cannot be read; report, never signal.
 */
export type OrphanDecision = 'reattach' | 'kill' | 'lost' | 'uncertain';

export function decideOrphan(facts: OrphanFacts): OrphanDecision {
  if (facts.fromEarlierBoot) return 'lost';
  if (facts.hosted)
    return facts.policy === 'reattach' && !facts.wasFinalizing ? 'reattach' : 'kill';
  if (facts.rootCheck === 'uncertain') return 'uncertain';
  if (facts.rootCheck === 'alive') {
    return facts.policy === 'reattach' && !facts.wasFinalizing ? 'reattach' : 'kill';
  }
  if (facts.markedProcesses === 0) return 'lost';
  // Never recorded (a crash between spawn and the identity write): the run's processes
  // carry its marker, and the earliest of them is its root, so it can be reattached.
  if (facts.rootCheck === null && facts.policy === 'reattach' && !facts.wasFinalizing) {
    return 'reattach';
  }
  // Root gone or replaced by another process (pid reuse): only marked escapees remain.
  return 'kill';
}

/** What boot does with a live record: an orphan decision, or `restart` (see below). */
export type AdoptionDecision = OrphanDecision | 'restart';

/**
 * A record that was waiting to restart (`nextStartAt` set, its last generation verified
 * dead) and of which nothing lives is started again at its recorded time: `restart`. If
 * something of it does live (it should not), it is judged as any orphan is. The run
 * machine's `ADOPT` guards decide the same way; dry runs report through this.
 */
export function decideAdoption(nextStartAt: number | null, facts: OrphanFacts): AdoptionDecision {
  const decision = decideOrphan(facts);
  return nextStartAt !== null && decision === 'lost' ? 'restart' : decision;
}
