// A sampler over the fake process table and the counting manual clock, recording what it
// emits and reports.
import { setImmediate as turn } from 'node:timers/promises';
import { createProcScanner } from '../../../src/os/metering/proc-scan.js';
import {
  ResourceSampler,
  type ResourceSamplerOptions,
} from '../../../src/os/metering/resource-sampler.js';
import type { CgroupUsage, ResourceSample } from '../../../src/os/metering/metering-types.js';
import { RUN_MARKER } from '../../../src/os/run-marker.js';
import { CountingClock } from './counting-clock.js';
import { FakeProcTable } from './fake-proc.js';

export interface Harness {
  readonly table: FakeProcTable;
  readonly clock: CountingClock;
  readonly sampler: ResourceSampler;
  readonly samples: [string, ResourceSample][];
  readonly errors: [unknown, string | null][];
  /** Samples of one run, in order. */
  readonly of: (runId: string) => ResourceSample[];
  /** A marker-mode run: a root process `pid` carrying the run's marker. */
  readonly addRun: (runId: string, pid: number, rssPages?: number) => void;
}

const harnesses: Harness[] = [];

export function createHarness(options: ResourceSamplerOptions = {}): Harness {
  const table = new FakeProcTable();
  const clock = new CountingClock(1_000_000);
  const errors: [unknown, string | null][] = [];
  const samples: [string, ResourceSample][] = [];
  const sampler = new ResourceSampler({
    clock,
    scanner: createProcScanner(table),
    onError: (error, runId) => errors.push([error, runId]),
    ...options,
  });
  sampler.onSample((runId, sample) => samples.push([runId, sample]));
  const harness: Harness = {
    table,
    clock,
    sampler,
    samples,
    errors,
    of: (runId) => samples.filter(([id]) => id === runId).map(([, sample]) => sample),
    addRun: (runId, pid, rssPages = 10) => {
      table.add({ pid, rssPages }, { [RUN_MARKER]: runId });
      sampler.track(runId, { root: table.identity(pid) });
    },
  };
  harnesses.push(harness);
  return harness;
}

/** Stops every sampler made by createHarness (for afterEach). */
export function stopHarnesses(): void {
  for (const harness of harnesses.splice(0)) harness.sampler.stop();
}

/**
 * Lets a tick that needs nothing but microtasks finish: every source here is synchronous,
 * so one turn of the event loop completes it (no time passes on the manual clock).
 */
export async function settle(): Promise<void> {
  await turn();
  await turn();
}

/** A cgroup reader whose answers the test releases one by one. */
export class DeferredCgroups {
  readonly calls: string[] = [];
  private readonly pending: ((usage: CgroupUsage | null) => void)[] = [];
  private readonly failures: ((error: Error) => void)[] = [];

  readonly read = (dir: string): Promise<CgroupUsage | null> => {
    this.calls.push(dir);
    return new Promise((resolve, reject) => {
      this.pending.push(resolve);
      this.failures.push(reject);
    });
  };

  /** Answers the oldest pending read. */
  resolve(usage: CgroupUsage | null): void {
    this.failures.shift();
    const next = this.pending.shift();
    if (next === undefined) throw new Error('no pending cgroup read');
    next(usage);
  }

  /** Fails the oldest pending read. */
  reject(error: Error): void {
    this.pending.shift();
    const next = this.failures.shift();
    if (next === undefined) throw new Error('no pending cgroup read');
    next(error);
  }
}
