// The one typed interface the actors use to talk to a spawned process, PTY or plain child.
import { constants } from 'node:os';
import type { ExitReason } from '../types.js';
import type { ProcessIdentity } from './process-identity.js';

/** How the process itself ended, as the OS reported it. */
export interface ProcessExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the end's cause is known beyond the code (a run host's deadline, its loss). */
  readonly reason?: ExitReason;
}

/** A live handle on a process this supervisor spawned. */
export interface ProcessHandle {
  readonly pid: number;
  /** The run host holding the process (durable runs only). */
  readonly host?: ProcessIdentity;
  /** Registers the single output listener (bytes exactly as read). */
  onData(listener: (data: Buffer) => void): void;
  /** Registers the listener of output bytes lost before delivery (durable runs only). */
  onGap?(listener: (bytes: number) => void): void;
  /** Registers the single exit listener; called once, after the last output. */
  onExit(listener: (exit: ProcessExit) => void): void;
  /** Writes to the terminal or to stdin. Throws when the run has no writable input. */
  write(data: string | Uint8Array): void;
  /** Resizes the terminal. Throws for plain child processes. */
  resize(cols: number, rows: number): void;
  /** Releases file descriptors once the process is gone. Never signals. */
  dispose(): void;
  /**
   * Stops this handle from keeping the host's event loop alive (a `leave` shutdown): the
   * process runs on, and the host may exit. Never signals.
   */
  detach(): void;
}

/** What a backend needs to start a process. The command is already resolved. */
export interface LaunchSpec {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cols: number;
  readonly rows: number;
  readonly stdin: 'pipe' | 'ignore';
}

const signalNames = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** Maps a signal number to its name; `null` for 0 or unknown numbers. */
export function signalName(signal: number | null | undefined): NodeJS.Signals | null {
  if (signal === null || signal === undefined || signal === 0) return null;
  return signalNames.get(signal) ?? null;
}
