// The supervisor's handle on a run held by the run host: the same ProcessHandle as a PTY or
// child of its own, carried over the host's socket. Output resumes from an absolute offset,
// so a reconnect (or a new supervisor) neither misses nor repeats a byte.
import { createInterface, type Interface } from 'node:readline';
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../support/logger.js';
import type { ProcessExit, ProcessHandle } from '../../os/process-handle.js';
import type { ProcessIdentity } from '../../os/process-identity.js';
import type { HostStreamLine } from '../host-protocol.js';
import type { RunHostLink } from './run-host-link.js';

const RECONNECT_DELAY_MS = 100;

export interface DurableProcessOptions {
  readonly link: RunHostLink;
  readonly runId: string;
  readonly pid: number;
  readonly mode: 'pty' | 'child';
  /** The host holding the run, verified when it was reached. */
  readonly host: ProcessIdentity;
  /** First output offset to deliver. */
  readonly since: number;
  readonly logger: Logger;
}

export class DurableProcess implements ProcessHandle {
  readonly pid: number;
  readonly host: ProcessIdentity;
  private dataListener: (data: Buffer) => void = () => undefined;
  private gapListener: (bytes: number) => void = () => undefined;
  private exitListener: (exit: ProcessExit) => void = () => undefined;
  private next: number;
  private stream: { readonly response: IncomingMessage; readonly lines: Interface } | null = null;
  private stopped = false;
  private exited = false;
  /** The host reported the exit and keeps it until collected. */
  private collectible = false;
  /** The run is done: nothing is delivered any more; the host's exit is awaited to collect. */
  private disposed = false;
  private inputChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: DurableProcessOptions) {
    this.pid = options.pid;
    this.host = options.host;
    this.next = options.since;
    // Listeners are registered synchronously right after construction; lines flow after.
    setImmediate(() => {
      void this.connect();
    });
  }

  onData(listener: (data: Buffer) => void): void {
    this.dataListener = listener;
  }

  /** Bytes the host's log cap dropped before they could be delivered. */
  onGap(listener: (bytes: number) => void): void {
    this.gapListener = listener;
  }

  onExit(listener: (exit: ProcessExit) => void): void {
    this.exitListener = listener;
  }

  write(data: string | Uint8Array): void {
    const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data);
    const { link, runId, logger } = this.options;
    // Chained (with resizes), so keystrokes arrive in the order they were typed.
    this.inputChain = this.inputChain
      .then(() => link.client.input(runId, bytes))
      .catch((error: unknown) => {
        logger.warn({ runId, err: error }, 'input to a durable run was not delivered');
      });
  }

  resize(cols: number, rows: number): void {
    if (this.options.mode !== 'pty') throw new TypeError('resize() needs a PTY run (mode: "pty")');
    const { link, runId, logger } = this.options;
    // In the input chain: a resize typed after keys reaches the terminal after them.
    this.inputChain = this.inputChain
      .then(() => link.client.resize(runId, cols, rows))
      .catch((error: unknown) => {
        logger.warn({ runId, err: error }, 'resize of a durable run failed');
      });
  }

  /** Stops following; the run stays with the host (a `leave`, or a supervisor going away). */
  detach(): void {
    this.stopped = true;
    // readline does not end on a destroyed input: close it too.
    this.stream?.lines.close();
    this.stream?.response.destroy();
  }

  /** The run is done: stop following and let the host forget it. */
  dispose(): void {
    this.disposed = true;
    this.dataListener = () => undefined;
    this.gapListener = () => undefined;
    this.exitListener = () => undefined;
    // A run can be done before the host's exit line arrived (a restored record already had
    // its exit): the stream goes on, quietly, until that line, so the host is not left
    // keeping the exit (and itself) forever.
    if (this.collectible || this.exited) this.collect();
  }

  private collect(): void {
    this.detach();
    if (!this.collectible) return;
    const { link, runId, logger } = this.options;
    link.client.collect(runId, this.pid).catch((error: unknown) => {
      logger.warn({ runId, err: error }, 'the run host did not release a finished run');
    });
  }

  // A getter, so checks after an await are not narrowed away by the loop condition.
  private get halted(): boolean {
    return this.stopped;
  }

  private async connect(): Promise<void> {
    const { link, runId, logger } = this.options;
    while (!this.stopped && !this.exited) {
      let sawExit = false;
      try {
        const connection = await link.existing();
        if (connection === null || connection.identity.startTicks !== this.host.startTicks) {
          this.hostLost('the run host is gone');
          return;
        }
        const response = await connection.client.follow(runId, this.next);
        if (response.statusCode !== 200) {
          response.resume();
          this.hostLost(`the run host does not hold this run (HTTP ${response.statusCode ?? 0})`);
          return;
        }
        const lines = createInterface({ input: response, crlfDelay: Infinity });
        this.stream = { response, lines };
        if (this.halted) this.detach();
        for await (const text of lines) {
          if (text === '') continue;
          sawExit = this.onLine(JSON.parse(text) as HostStreamLine) || sawExit;
        }
      } catch (error) {
        if (this.halted) return;
        logger.debug({ runId, err: error }, 'durable run stream interrupted');
      }
      if (sawExit || this.halted) return;
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
    }
  }

  /** Returns true for the exit line. */
  private onLine(line: HostStreamLine): boolean {
    if (line.type === 'dropped') {
      this.next += line.bytes;
      this.gapListener(line.bytes);
      return false;
    }
    if (line.type === 'output') {
      const chunk = Buffer.from(line.data, 'base64');
      const end = line.offset + chunk.length;
      if (end <= this.next) return false;
      const part = line.offset < this.next ? chunk.subarray(this.next - line.offset) : chunk;
      if (line.offset > this.next) this.gapListener(line.offset - this.next);
      this.next = end;
      this.dataListener(part);
      return false;
    }
    this.collectible = true;
    this.report({
      exitCode: line.exit.exitCode,
      signal: line.exit.signal,
      reason: line.exit.reason,
    });
    if (this.disposed) this.collect();
    return true;
  }

  private hostLost(why: string): void {
    this.options.logger.error({ runId: this.options.runId }, `durable run lost: ${why}`);
    this.report({ exitCode: null, signal: null, reason: 'lost' });
  }

  private report(exit: ProcessExit): void {
    if (this.exited) return;
    this.exited = true;
    this.exitListener(exit);
  }
}
