// The runs a supervisor knows: controllers and handles of its own runs (live, and finished
// ones kept in memory up to a limit), plus finished runs of earlier supervisors that are
// still within record retention. Creation order is kept: scope replacement relies on it.
import type { RunContext } from '../machines/run-context.js';
import type { ValidRunRecord } from '../persistence/run-record-schema.js';
import type { RunInfo } from '../types.js';
import type { RunController } from './run-controller.js';
import type { RunHandle } from './run-handle.js';
import { runInfoFromContext } from './run-info.js';

export class RunRegistry {
  private readonly runs = new Map<string, { run: RunController; handle: RunHandle }>();
  private readonly finishedInMemory: string[] = [];
  // Contexts, not views: a boot over thousands of records builds a view only when asked.
  private readonly retained = new Map<string, RunContext>();
  private readonly finalRecords: string[] = [];

  constructor(
    private readonly maxFinishedInMemory: number,
    private readonly maxFinalRecords: number,
  ) {}

  add(run: RunController, handle: RunHandle): void {
    this.runs.set(run.id, { run, handle });
  }

  /** Forgets a run (released on a `leave` shutdown). */
  remove(id: string): void {
    this.runs.delete(id);
  }

  run(id: string): RunController | undefined {
    return this.runs.get(id)?.run;
  }

  handle(id: string): RunHandle | undefined {
    return this.runs.get(id)?.handle;
  }

  info(id: string): RunInfo | undefined {
    const retained = this.retained.get(id);
    return this.runs.get(id)?.run.info() ?? (retained && runInfoFromContext('done', retained));
  }

  /** Every known run, oldest first. */
  infos(): RunInfo[] {
    const infos = [...this.retained.values()].map((context) => runInfoFromContext('done', context));
    for (const { run } of this.runs.values()) infos.push(run.info());
    return infos.sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Runs held in memory, in creation order. */
  controllers(): RunController[] {
    return [...this.runs.values()].map((entry) => entry.run);
  }

  live(): RunController[] {
    return this.controllers().filter((run) => run.state !== 'done');
  }

  /** Live runs of `scopeKey` created before `run`. */
  predecessorsOf(run: RunController, scopeKey: string): RunController[] {
    const found: RunController[] = [];
    for (const { run: other } of this.runs.values()) {
      if (other === run) break;
      if (other.context.descriptor.scopeKey === scopeKey && other.state !== 'done')
        found.push(other);
    }
    return found;
  }

  /** Keeps a finished record of an earlier supervisor listable. */
  retain(record: ValidRunRecord): void {
    this.retained.set(record.runId, record.snapshot.context as unknown as RunContext);
    this.finalRecords.push(record.runId);
  }

  /**
   * Notes that a run of ours finished. Returns the ids whose records are now beyond
   * retention (oldest first), for the caller to delete from the store.
   */
  finish(id: string): string[] {
    this.finishedInMemory.push(id);
    while (this.finishedInMemory.length > this.maxFinishedInMemory) {
      const dropped = this.finishedInMemory.shift();
      if (dropped !== undefined) this.runs.delete(dropped);
    }
    this.finalRecords.push(id);
    const expired: string[] = [];
    while (this.finalRecords.length > this.maxFinalRecords) {
      const old = this.finalRecords.shift();
      if (old === undefined) break;
      this.retained.delete(old);
      expired.push(old);
    }
    return expired;
  }
}
