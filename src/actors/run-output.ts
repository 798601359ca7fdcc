// A run's output: the bounded buffer with absolute offsets, and the live listeners.
import { OutputBuffer, type OutputSlice } from './output-buffer.js';

/** Receives each output chunk with the absolute offset of its first byte. */
export type OutputListener = (chunk: Buffer, offset: number) => void;

export class RunOutput {
  private readonly buffer: OutputBuffer;
  private readonly listeners = new Set<OutputListener>();

  constructor(
    maxBytes: number,
    startOffset: number,
    private readonly onListenerError: (error: unknown) => void,
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

  read(since?: number): OutputSlice {
    return this.buffer.read(since);
  }
}
