// A run's CPU time in marker mode, kept from one sample to the next. /proc shows the CPU of
// live processes (and, in cutime/cstime, of the children each has waited for); a process
// that leaves the tree takes its CPU with it unless a member reaps it. So when a member
// disappears and its last-seen parent is not in the tree now (it was reaped by init after
// being reparented, or it is the root, reaped by the supervisor, or it left the tree), its
// last-seen CPU is kept here. Still a lower bound: the CPU used between its last sample and
// its death is lost, and so is that of a child reaped by a member that ignores SIGCHLD
// (auto-reaped children are not added to cutime) or reparented between two samples. A
// cgroup's cpu.stat has none of these gaps.
import type { MeteredProcess } from './metering-types.js';

interface Seen {
  readonly ppid: number;
  readonly cpuMs: number;
}

export class CpuLedger {
  private seen = new Map<string, Seen>();
  private departedMs = 0;
  private totalMs = 0;

  /** The run's CPU time so far, given its members now; never less than the last answer. */
  account(members: readonly MeteredProcess[]): number {
    const now = new Map<string, Seen>();
    const pids = new Set<number>();
    let presentMs = 0;
    for (const member of members) {
      now.set(`${member.pid}:${member.startTicks}`, { ppid: member.ppid, cpuMs: member.cpuMs });
      pids.add(member.pid);
      presentMs += member.cpuMs;
    }
    for (const [key, last] of this.seen) {
      // Gone, and no member (its parent) will count it in cutime: keep what it had used.
      if (!now.has(key) && !pids.has(last.ppid)) this.departedMs += last.cpuMs;
    }
    this.seen = now;
    this.totalMs = Math.max(this.totalMs, presentMs + this.departedMs);
    return this.totalMs;
  }
}
