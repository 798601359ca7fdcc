// Typed lifecycle events a supervisor emits (and logs).
import type { SignalFailure } from '../os/terminate-run-tree.js';
import type { StoreHealthInfo } from '../runtime/store-health-info.js';
import type { GroupInfo, GroupStateName, RunExit, RunStateName } from '../types.js';

export type SupervisorEvent =
  | { type: 'run.spawned'; runId: string; pid: number; mode: 'pty' | 'child'; command: string }
  | { type: 'run.state'; runId: string; from: RunStateName | null; to: RunStateName }
  | { type: 'run.replaced'; runId: string; replacedBy: string; scopeKey: string }
  | { type: 'run.finalized'; runId: string; exit: RunExit }
  /** A record write failed: the run goes on, but its durable record lags behind. */
  | { type: 'run.record-failed'; runId: string; error: { code: string; message: string } }
  /** A group changed state (`null`: it was just created); `group` is its view now. */
  | {
      type: 'group.state';
      path: string;
      from: GroupStateName | null;
      to: GroupStateName;
      group: GroupInfo;
    }
  /** The store fell behind (a write failed: `degraded`) or caught up again (`ok`). */
  | { type: 'store.health'; health: StoreHealthInfo }
  | {
      type: 'run.sweep';
      runId: string;
      /** Pids found to belong to the run (root, descendants, group, session, marker). */
      pids: number[];
      forced: boolean;
      survivors: number[];
      failures: SignalFailure[];
      /** Pids whose environment could not be read: uncertain, not signalled. */
      unreadable: number;
    };

/** Listener for supervisor events. */
export type SupervisorEventListener = (event: SupervisorEvent) => void;

/** A tiny typed fan-out; a throwing listener cannot break the supervisor. */
export class EventFanout {
  private readonly listeners = new Set<SupervisorEventListener>();

  constructor(private readonly onListenerError: (error: unknown) => void) {}

  subscribe(listener: SupervisorEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: SupervisorEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
