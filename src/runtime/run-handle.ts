// The handle a caller gets for one run. Thin: every call goes to the run's runtime.
import type { CancelReason, RunExit, RunInfo, RunStateName } from '../types.js';
import type { OutputSlice } from './output-buffer.js';
import type { OutputListener, RunRuntime } from './run-runtime.js';

/** A supervised run. */
export class RunHandle {
  /** Resolves with how the run ended, after its whole tree is verified dead. Never rejects. */
  readonly exited: Promise<RunExit>;

  constructor(
    private readonly controller: RunRuntime,
    private readonly cancelRun: (reason: CancelReason) => Promise<RunExit>,
  ) {
    this.exited = controller.exited;
  }

  /** The run id; also the value of `RUNWARDEN_RUN_ID` in the run's environment. */
  get id(): string {
    return this.controller.id;
  }

  /** Pid of the run's own process; `null` before it spawned or if it never did. */
  get pid(): number | null {
    return this.controller.context.pid;
  }

  /** The run machine's current state. */
  get state(): RunStateName {
    return this.controller.state;
  }

  /** A serializable snapshot of the run. */
  info(): RunInfo {
    return this.controller.info();
  }

  /** Calls `listener` for every output chunk from now on. Returns an unsubscribe function. */
  onOutput(listener: OutputListener): () => void {
    return this.controller.onOutput(listener);
  }

  /** Output at or after byte offset `since` (default 0), and the offset to pass next time. */
  output(options: { since?: number } = {}): OutputSlice {
    return this.controller.readOutput(options.since);
  }

  /** Writes to the terminal (pty) or stdin (child). Throws when the run is not live. */
  write(data: string | Uint8Array): void {
    this.controller.write(data);
  }

  /** Resizes the terminal of a PTY run. */
  resize(cols: number, rows: number): void {
    this.controller.resize(cols, rows);
  }

  /** Finalizes the run (SIGTERM, grace, SIGKILL, verified) and resolves with its exit. */
  cancel(reason: CancelReason = 'cancelled'): Promise<RunExit> {
    return this.cancelRun(reason);
  }
}
