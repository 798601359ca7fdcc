// A run's output: the bounded buffer with absolute offsets, and the live listeners.
import { readOutputLog, type LogSlice } from '../host/output-log.js';
import { runDirFor } from '../host/run-host-paths.js';
import type { RunContext } from '../machines/run-context.js';
import { OutputBuffer, type OutputSlice } from './output-buffer.js';
import type { RuntimeEnvironment } from './runtime-environment.js';

/** Receives each output chunk with the absolute offset of its first byte. */
export type OutputListener = (chunk: Buffer, offset: number) => void;

export class RunOutput {
  private readonly buffer: OutputBuffer;
  private readonly listeners = new Set<OutputListener>();

  constructor(
    private readonly maxBytes: number,
    startOffset: number,
    private readonly onListenerError: (error: unknown) => void,
    /** A durable run's on-disk log: serves reads older than what memory still holds. */
    private readonly archive?: (since: number, maxBytes: number) => LogSlice,
  ) {
    this.buffer = new OutputBuffer(maxBytes, startOffset);
  }

  /** Stores a chunk and hands it to every listener; a throwing listener is reported. */
  append(chunk: Buffer): void {
    const offset = this.buffer.append(chunk);
    for (const listener of this.listeners) {
      try {
        listener(chunk, offset);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  subscribe(listener: OutputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The absolute offset just past the last byte appended or skipped. */
  get end(): number {
    return this.buffer.end;
  }

  /** Moves offsets past bytes that were lost before delivery (a durable log's cap). */
  skip(bytes: number): void {
    this.buffer.skip(bytes);
  }

  read(since?: number): OutputSlice {
    const from = since ?? 0;
    // Memory answers whatever it still holds; a durable run's log is read only for what it
    // no longer holds (dropped, or before a reattach) or does not hold yet.
    if (this.archive === undefined || (from >= this.buffer.first && from <= this.buffer.end)) {
      return this.buffer.read(since);
    }
    let archived;
    try {
      archived = this.archive(from, this.maxBytes);
    } catch {
      return this.buffer.read(since); // past the log's end too: memory refuses it
    }
    return { ...archived, text: archived.data.toString('utf8') };
  }
}

/** The output of a run starting from `context`'s offset; a durable run's log backs it. */
export function openRunOutput(
  env: RuntimeEnvironment,
  context: Pick<RunContext, 'runId' | 'descriptor' | 'outputBytes'>,
): RunOutput {
  const runDir = runDirFor(env.hostLink.paths, context.runId);
  return new RunOutput(
    context.descriptor.maxOutputBytes,
    context.outputBytes,
    (error) => {
      env.logger.error({ runId: context.runId, err: error }, 'output listener threw');
    },
    context.descriptor.durable
      ? (since, maxBytes) => readOutputLog(runDir, since, maxBytes)
      : undefined,
  );
}
