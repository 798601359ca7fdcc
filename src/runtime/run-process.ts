// The process a run holds, when it holds one (a restored orphan holds none): its I/O and
// the report of its exit.
import { RunStateError } from '../errors.js';
import type { ProcessExit, ProcessHandle } from '../os/process-handle.js';
import { createDeferred } from './deferred.js';

export class RunProcess {
  private handle: ProcessHandle | null = null;
  private exitReported = createDeferred<undefined>();

  /**
   * Takes the handle of a process (spawned, or a durable run followed again) and wires it.
   * Each generation of a restarted run attaches its own: what an earlier handle still
   * reports is ignored (its generation was verified dead and its exit recorded).
   */
  attach(
    handle: ProcessHandle,
    onData: (chunk: Buffer) => void,
    onExit: (exit: ProcessExit) => void,
    onGap: (bytes: number) => void,
  ): void {
    const exitReported = createDeferred<undefined>();
    this.handle = handle;
    this.exitReported = exitReported;
    const current = () => this.handle === handle;
    handle.onData((chunk) => {
      if (current()) onData(chunk);
    });
    handle.onGap?.((bytes) => {
      if (current()) onGap(bytes);
    });
    handle.onExit((exit) => {
      exitReported.resolve(undefined);
      if (current()) onExit(exit);
    });
  }

  /** The handle, for input; throws unless a handle is held and `live` is true. */
  require(live: boolean, what: string): ProcessHandle {
    if (this.handle === null || !live) throw new RunStateError('E_RUN_NOT_LIVE', what);
    return this.handle;
  }

  /** Waits up to `ms` for the held process's exit report; at once when none is held. */
  async waitForExitReport(ms: number): Promise<void> {
    if (this.handle === null) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.exitReported.promise,
      new Promise((resolve) => (timer = setTimeout(resolve, ms))),
    ]);
    clearTimeout(timer);
  }

  /** Stops the handle from keeping the host alive (a `leave`); never signals. */
  detach(): void {
    this.handle?.detach();
  }

  /** Releases descriptors once the generation is over; never signals. */
  dispose(): void {
    this.handle?.dispose();
    this.handle = null;
  }
}
