// One run held by the run host: its process (PTY master or pipes), its output log, its
// absolute deadlines, and its exit, kept until a supervisor collects it.
import { RUN_MARKER } from '../../os/run-marker.js';
import { launchChild } from '../../os/child-process.js';
import type { ProcessExit, ProcessHandle } from '../../os/process-handle.js';
import { readIdentity, type ProcessIdentity } from '../../os/process-identity.js';
import { launchPty } from '../../os/pty-process.js';
import { terminateRunTree } from '../../os/terminate-run-tree.js';
import type { Logger } from '../../support/logger.js';
import type {
  HostedExit,
  HostedRunStatus,
  HostSpawnRequest,
  HostStreamLine,
} from '../host-protocol.js';
import { OutputLogWriter, readOutputLog } from '../output-log.js';

/** Largest chunk replayed from the log in one stream line. */
const REPLAY_CHUNK_BYTES = 256 * 1024;

type LineListener = (line: HostStreamLine) => void;

export class HostedRun {
  readonly runId: string;
  private readonly listeners = new Set<LineListener>();
  private exitRecord: HostedExit | null = null;
  private expiredAs: 'timeout' | 'no-output-timeout' | null = null;
  private readonly timers: NodeJS.Timeout[] = [];
  private noOutputTimer: NodeJS.Timeout | null = null;
  private readonly ended: Promise<void>;
  /**
   * The log's end when this process started: where its output begins. A restarted run's
   * new generation appends to the same log, after the last one's output.
   */
  readonly outputStart: number;

  private constructor(
    private readonly request: HostSpawnRequest,
    private readonly handle: ProcessHandle,
    readonly identity: ProcessIdentity | null,
    private readonly log: OutputLogWriter,
    private readonly dir: string,
    private readonly logger: Logger,
  ) {
    this.runId = request.runId;
    this.outputStart = log.end;
    let endedResolve: () => void = () => undefined;
    this.ended = new Promise((resolve) => (endedResolve = resolve));
    handle.onData((chunk) => {
      this.onData(chunk);
    });
    handle.onExit((exit) => {
      this.onExit(exit);
      endedResolve();
    });
    this.armDeadlines();
  }

  /** Launches the run's process. Throws SpawnError when it cannot start. */
  static async start(request: HostSpawnRequest, dir: string, logger: Logger): Promise<HostedRun> {
    const log = new OutputLogWriter(dir, request.logCapBytes);
    let handle: ProcessHandle;
    try {
      const spec = { ...request.launch, env: { ...request.launch.env } };
      handle = request.mode === 'pty' ? launchPty(spec) : await launchChild(spec);
    } catch (error) {
      log.close();
      throw error;
    }
    return new HostedRun(request, handle, readIdentity(handle.pid) ?? null, log, dir, logger);
  }

  get pid(): number {
    return this.handle.pid;
  }

  get exit(): HostedExit | null {
    return this.exitRecord;
  }

  /** Resolves once the process exited and its exit is recorded. */
  whenEnded(): Promise<void> {
    return this.ended;
  }

  status(): HostedRunStatus {
    return {
      runId: this.runId,
      pid: this.pid,
      identity: this.identity,
      outputEnd: this.log.end,
      exit: this.exitRecord,
    };
  }

  write(data: Buffer): void {
    if (this.exitRecord !== null) throw new TypeError(`run ${this.runId} has ended`);
    this.handle.write(data);
  }

  resize(cols: number, rows: number): void {
    this.handle.resize(cols, rows);
  }

  /**
   * Streams the output from `since` (replayed from the log), then live output, then the
   * exit. Returns an unsubscribe function. Throws RangeError for an offset past the end.
   */
  follow(since: number, onLine: LineListener): () => void {
    let at = since;
    for (;;) {
      const slice = readOutputLog(this.dir, at, REPLAY_CHUNK_BYTES);
      if (slice.droppedBytes > 0) onLine({ type: 'dropped', bytes: slice.droppedBytes });
      if (slice.data.length === 0) break;
      onLine({ type: 'output', offset: slice.offset, data: slice.data.toString('base64') });
      at = slice.nextOffset;
    }
    // Replay and subscription happen in one synchronous step: no chunk falls between them.
    if (this.exitRecord !== null) {
      onLine({ type: 'exit', exit: this.exitRecord });
      return () => undefined;
    }
    this.listeners.add(onLine);
    return () => this.listeners.delete(onLine);
  }

  /** Releases the log; the run directory stays for the supervisor's retention. */
  collect(): void {
    this.disarm();
    this.log.close();
    this.listeners.clear();
  }

  private onData(chunk: Buffer): void {
    const offset = this.log.append(chunk);
    this.rearmNoOutput();
    const line: HostStreamLine = { type: 'output', offset, data: chunk.toString('base64') };
    for (const listener of this.listeners) listener(line);
  }

  private onExit(exit: ProcessExit): void {
    this.disarm();
    this.exitRecord = {
      exitCode: exit.exitCode,
      signal: exit.signal,
      reason: this.expiredAs ?? (exit.signal === null ? 'exit' : 'signal'),
      endedAt: Date.now(),
    };
    this.handle.dispose();
    this.logger.info({ runId: this.runId, exit: this.exitRecord }, 'hosted run ended');
    const line: HostStreamLine = { type: 'exit', exit: this.exitRecord };
    for (const listener of [...this.listeners]) listener(line);
    this.listeners.clear();
  }

  // The absolute deadlines hold while no supervisor is connected: the host ends the run.
  private armDeadlines(): void {
    const { timeoutMs } = this.request;
    if (timeoutMs !== null) {
      this.timers.push(
        setTimeout(() => {
          this.expire('timeout');
        }, timeoutMs),
      );
    }
    this.rearmNoOutput();
  }

  private rearmNoOutput(): void {
    const { noOutputTimeoutMs } = this.request;
    if (noOutputTimeoutMs === null || this.exitRecord !== null) return;
    if (this.noOutputTimer !== null) {
      this.noOutputTimer.refresh();
      return;
    }
    this.noOutputTimer = setTimeout(() => {
      this.expire('no-output-timeout');
    }, noOutputTimeoutMs);
  }

  private disarm(): void {
    for (const timer of this.timers.splice(0)) clearTimeout(timer);
    if (this.noOutputTimer !== null) clearTimeout(this.noOutputTimer);
    this.noOutputTimer = null;
  }

  private expire(reason: 'timeout' | 'no-output-timeout'): void {
    if (this.expiredAs !== null || this.exitRecord !== null) return;
    this.expiredAs = reason;
    this.disarm();
    this.logger.info({ runId: this.runId, reason }, 'hosted run deadline expired');
    void terminateRunTree({
      query: { marker: `${RUN_MARKER}=${this.runId}`, root: this.identity },
      graceMs: this.request.killGraceMs,
      softSignals: this.request.mode === 'pty' ? ['SIGHUP', 'SIGTERM'] : ['SIGTERM'],
    })
      .then((report) => {
        if (report.survivors.length > 0) {
          this.logger.warn(
            { runId: this.runId, survivors: report.survivors.map((m) => m.identity.pid) },
            'hosted run survivors after its deadline',
          );
        }
      })
      .catch((error: unknown) => {
        this.logger.error({ runId: this.runId, err: error }, 'hosted run termination failed');
      });
  }
}
