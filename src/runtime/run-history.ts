// The runs a supervisor can still show once they left its machine: its own finished runs
// (runtimes kept in memory up to `maxFinishedRuns`, output included) and the finished
// records of earlier supervisors still within record retention. Live runs are not here:
// they are the supervisor actor's children.
import type { RunContext } from '../machines/run-context.js';
import type { ValidRunRecord } from '../persistence/run-record-schema.js';
import type { RunInfo } from '../types.js';
import { runInfoFromContext } from './run-info.js';
import type { RunRuntime } from './run-runtime.js';

export class RunHistory {
  private readonly finished: RunRuntime[] = [];
  // Contexts, not views: a boot over thousands of records builds a view only when asked.
  private readonly retained = new Map<string, RunContext>();

  constructor(private readonly maxFinishedRuns: number) {}

  /** A run of ours ended; returns the runtimes no longer kept, oldest first. */
  finish(run: RunRuntime): RunRuntime[] {
    this.finished.push(run);
    return this.finished.splice(0, Math.max(0, this.finished.length - this.maxFinishedRuns));
  }

  /** Keeps a finished record of an earlier supervisor listable. */
  retain(record: ValidRunRecord): void {
    this.retained.set(record.runId, record.snapshot.context as unknown as RunContext);
  }

  /** The records of `runIds` were deleted (retention): they are not listed any more. */
  forget(runIds: readonly string[]): void {
    for (const id of runIds) this.retained.delete(id);
  }

  run(id: string): RunRuntime | undefined {
    return this.finished.find((run) => run.id === id);
  }

  info(id: string): RunInfo | undefined {
    const retained = this.retained.get(id);
    return this.run(id)?.info() ?? (retained && runInfoFromContext('done', retained));
  }

  /** Every run shown here, in no particular order. */
  infos(): RunInfo[] {
    const infos = [...this.retained.values()].map((context) => runInfoFromContext('done', context));
    for (const run of this.finished) infos.push(run.info());
    return infos;
  }
}
