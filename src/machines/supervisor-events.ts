// The supervisor machine's events and input, and what a failed run child leaves behind.
import type { ProcessIdentity } from '../os/process-identity.js';
import type { GroupSettings, RunDescriptor, RunErrorInfo } from '../types.js';
import type { OrphanFacts } from './decide-orphan.js';
import type { GroupHistory } from './group-context.js';
import type { ChildHeldEvent, GroupEvent } from './group-events.js';
import {
  buildRunExit,
  messageOf,
  type RunContext,
  type RunEndedEvent,
  type RunOutput,
} from './run-context.js';
import { runOf, type SupervisorContext } from './supervisor-context.js';

/** Why a spawn was refused: the live limit, a supervisor not serving, or its group. */
export type SpawnRefusal = 'limit' | 'not-serving' | 'group';

/** What a supervisor does with its live runs when it stops. */
export type ShutdownRuns = 'kill' | 'leave';

export type SupervisorEvent =
  /** Take the owner lease and reconcile the previous supervisor's runs. */
  | { type: 'BOOT' }
  /** Boot found a live record: adopt it as a child and decide it with these facts. */
  | {
      type: 'ADOPT_RUN';
      record: RunContext;
      facts: OrphanFacts;
      root: ProcessIdentity | null;
      error?: RunErrorInfo;
      at: number;
    }
  /** Boot kept finished records listable (their ids count toward record retention). */
  | { type: 'RETAIN_RECORDS'; runIds: readonly string[] }
  /** Start a new run as a child (of the group `descriptor.group`, if set). */
  | { type: 'SPAWN'; runId: string; descriptor: RunDescriptor; createdAt: number }
  /** Create the group `path` (its parent group must exist), or rebuild it from its record. */
  | {
      type: 'ADD_GROUP';
      path: string;
      settings: GroupSettings;
      createdAt: number;
      restored?: GroupHistory;
    }
  | Extract<
      GroupEvent,
      {
        type:
          | 'CANCEL_GROUP'
          | 'SPAWN_ADMITTED'
          | 'SPAWN_REFUSED'
          | 'GROUP_REFUSED'
          | 'GROUP_ENDED'
          | 'CHILD_STARTED';
      }
    >
  | ChildHeldEvent
  /** A run (entering `replacing`) asks for the live runs of its scope created before it. */
  | { type: 'REPLACE_PREDECESSORS'; runId: string }
  /** Stop accepting runs; finalize (`kill`) or release (`leave`) the live ones. */
  | { type: 'SHUTDOWN'; runs: ShutdownRuns; at: number }
  /** A run reached a terminal state: it leaves (its actor is stopped). */
  | RunEndedEvent
  | { type: 'xstate.error.actor.*'; error: unknown };

/** Input: the limits the machine enforces. */
export interface SupervisorInput {
  /** When the supervisor was created (epoch ms): store health counts from there. */
  readonly createdAt: number;
  readonly maxLiveRuns: number;
  readonly maxFinalRecords: number;
}

// A run child that failed: its last context, its end unknown (`E_MACHINE`); null otherwise.
export function failedRunOutput(
  context: SupervisorContext,
  event: SupervisorEvent,
): RunOutput | null {
  const prefix = 'xstate.error.actor.';
  if (!event.type.startsWith(prefix)) return null;
  const runId = event.type.slice(prefix.length);
  const run = runOf(context, runId)?.getSnapshot().context;
  if (run === undefined) return null;
  const error = { code: 'E_MACHINE', message: messageOf((event as { error?: unknown }).error) };
  const exit = buildRunExit({ ...run, endReason: run.endReason ?? 'lost', error });
  return { runId, outcome: 'done', exit };
}
