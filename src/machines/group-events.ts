// Events of the group machine. Children report up (RUN_ENDED, CHILD_HELD, CHILD_STARTED,
// GROUP_ENDED); the parent (the supervisor or a group) sends down. Events for a group deeper
// in the tree carry its path and are passed down from parent to child.
import type { ProcessIdentity } from '../os/process-identity.js';
import type { CancelReason, GroupSettings, RunDescriptor, RunErrorInfo } from '../types.js';
import type { OrphanFacts } from './decide-orphan.js';
import type { GroupHistory } from './group-context.js';
import type { RunContext, RunEndedEvent } from './run-context.js';

/** Why a child stopped and waits for its group: its own failure, a stop, or a boot. */
export type HeldCause = 'failed' | 'stopped' | 'restored';

/** A child (run or group) stopped, its tree verified dead, and waits for `RESUME`. */
export interface ChildHeldEvent {
  readonly type: 'CHILD_HELD';
  /** The run id, or the group's path. */
  readonly id: string;
  readonly cause: HeldCause;
  /** When it may start again at the earliest (its own restart delay). */
  readonly at: number;
  /** When it stopped: a failure counts toward the group's intensity at this time. */
  readonly endedAt: number;
}

export type GroupEvent =
  /** Start a run in the group at `path` (this one or one below). */
  | {
      type: 'SPAWN_CHILD';
      path: string;
      runId: string;
      descriptor: RunDescriptor;
      createdAt: number;
    }
  /** Create the group `path` below this one (its parent is this group or one below). */
  | {
      type: 'ADD_GROUP';
      path: string;
      settings: GroupSettings;
      createdAt: number;
      restored?: GroupHistory;
    }
  /** Boot found a live record of a run of the group at `path`: adopt and decide it. */
  | {
      type: 'ADOPT_RUN';
      path: string;
      record: RunContext;
      facts: OrphanFacts;
      root: ProcessIdentity | null;
      error?: RunErrorInfo;
      at: number;
    }
  /** Passed up to the supervisor: the run's group took it (or would not). */
  | { type: 'SPAWN_ADMITTED'; runId: string }
  | { type: 'SPAWN_REFUSED'; runId: string }
  /** Passed up to the supervisor: the group's parent would not create it (it is stopping). */
  | { type: 'GROUP_REFUSED'; path: string }
  /** From the parent: the boot adopted every run, so a restored group takes up its state. */
  | { type: 'ADOPTED' }
  | RunEndedEvent
  | ChildHeldEvent
  /** A child started again (a run: its process exists; a group: its children did). */
  | { type: 'CHILD_STARTED'; id: string }
  /** A child group ended its subtree (or never started). */
  | { type: 'GROUP_ENDED'; id: string }
  /** A run asks for its scope's predecessors: passed up to the supervisor. */
  | { type: 'REPLACE_PREDECESSORS'; runId: string }
  /** The group timer woke: held children due at `now` start again. */
  | { type: 'RESUME_DUE'; now: number }
  /** From the parent group: stop every child (reverse start order) for its restart. */
  | { type: 'RECYCLE'; at?: number }
  /** From the parent group: start the stopped children again (start order). */
  | { type: 'RESUME'; now: number }
  /** From the parent: past intensity all the way up; end the held children for good. */
  | { type: 'GIVE_UP'; at: number }
  /** End the subtree of the group at `path` (this one or one below). */
  | { type: 'CANCEL_GROUP'; path: string; reason: CancelReason; at: number }
  /** End the subtree in reverse start order, each tree verified dead. */
  | { type: 'CANCEL'; reason: CancelReason; at?: number }
  /** A `leave` shutdown: release every run alive, without a signal. */
  | { type: 'RELEASE'; at?: number }
  | { type: 'xstate.error.actor.*'; error: unknown };
