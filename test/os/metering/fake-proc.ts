// An in-memory process table for the sampler's timer and bookkeeping tests: what each
// process holds is set by the test, and every read is counted.
import type { EnvironValue } from '../../../src/os/proc-fs.js';
import type { ProcessIdentity } from '../../../src/os/process-identity.js';
import type { ProcSource } from '../../../src/os/metering/proc-scan.js';
import type { ProcUsage } from '../../../src/os/metering/proc-usage.js';
import { thisHostname } from '../../../src/os/this-host.js';

export const FAKE_BOOT = 'fake-boot-id';

interface FakeProcess {
  usage: ProcUsage;
  env: Readonly<Record<string, string>>;
  command: string;
}

export class FakeProcTable implements ProcSource {
  readonly procs = new Map<number, FakeProcess>();
  readonly reads = { list: 0, usage: 0, environ: 0, command: 0 };
  uptime = 10_000;
  failList: Error | null = null;
  /** Pids whose environment reads as unreadable (another user's). */
  readonly unreadable = new Set<number>();

  /** Adds (or replaces) a process; started long ago unless `startTicks` says otherwise. */
  add(
    fields: Partial<ProcUsage> & { pid: number },
    env: Readonly<Record<string, string>> = {},
  ): ProcUsage {
    const usage: ProcUsage = {
      comm: 'sleep',
      state: 'S',
      ppid: 1,
      pgid: fields.pid,
      sid: fields.pid,
      startTicks: 100,
      cpuTicks: 0,
      reapedTicks: 0,
      rssPages: 0,
      threads: 1,
      ...fields,
    };
    this.procs.set(usage.pid, { usage, env, command: `${usage.comm} ${usage.pid}` });
    return usage;
  }

  /** Changes what a process holds. */
  set(pid: number, fields: Partial<ProcUsage>): void {
    const proc = this.procs.get(pid);
    if (proc === undefined) throw new Error(`no fake process ${pid}`);
    proc.usage = { ...proc.usage, ...fields };
  }

  remove(pid: number): void {
    this.procs.delete(pid);
  }

  /** The identity the sampler would have recorded for `pid` at spawn. */
  identity(pid: number): ProcessIdentity {
    const usage = this.procs.get(pid)?.usage;
    if (usage === undefined) throw new Error(`no fake process ${pid}`);
    const { startTicks, pgid, sid } = usage;
    return { hostname: thisHostname(), bootId: FAKE_BOOT, pid, startTicks, pgid, sid };
  }

  listPids(): number[] {
    this.reads.list++;
    if (this.failList !== null) throw this.failList;
    return [...this.procs.keys()];
  }

  readUsage(pid: number): ProcUsage | undefined {
    this.reads.usage++;
    return this.procs.get(pid)?.usage;
  }

  readEnviron(pid: number, key: string): EnvironValue {
    this.reads.environ++;
    const proc = this.procs.get(pid);
    if (proc === undefined) return 'gone';
    if (this.unreadable.has(pid)) return 'unreadable';
    const value = proc.env[key];
    return value === undefined ? 'unset' : { value };
  }

  readCommand(pid: number): string | undefined {
    this.reads.command++;
    return this.procs.get(pid)?.command;
  }

  uptimeSeconds(): number {
    return this.uptime;
  }

  bootId(): string {
    return FAKE_BOOT;
  }
}
