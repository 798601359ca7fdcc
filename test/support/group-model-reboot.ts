// Reboots in the group model: what the store holds once a supervisor left (a `leave`
// shutdown), and how the next supervisor's boot rebuilds it, as src/runtime/boot-supervisor.ts
// and src/reconcile/reconcile-on-boot.ts do. A group's record follows its state (what
// src/runtime/group-records.ts means to keep: the latest snapshot of a state that writes; a
// `leave` keeps it as it was); a run's record is its latest snapshot. The boot rebuilds every
// recorded group (and any a live record names), parents first, then adopts each live record,
// oldest first, with the facts the real world gives it.
import type { InspectionEvent } from 'xstate';
import type { OrphanFacts } from '../../src/machines/decide-orphan.js';
import {
  parentPathOf,
  UNRECORDED_GROUP,
  type GroupContext,
} from '../../src/machines/group-context.js';
import type { RunContext } from '../../src/machines/run-context.js';
import type { SupervisorEvent } from '../../src/machines/supervisor-machine.js';
import { normalizeGroupOptions } from '../../src/options/group-options.js';
import type { GroupRecord } from '../../src/persistence/group-record.js';
import { recordStateOf } from '../../src/runtime/group-info.js';
import type { OrphanPolicy } from '../../src/types.js';

/** What a group's record keeps (as GroupRecords writes it) that a boot reads, in the model. */
export type ModelGroupRecord = Pick<
  GroupRecord,
  'settings' | 'createdAt' | 'restartedAt' | 'restarts' | 'state' | 'children' | 'cancelReason'
>;

interface Snapshot<C> {
  readonly value: unknown;
  readonly context: C;
  /** Machines only: a callback actor has none. */
  readonly machine?: { readonly id: string };
}

// States whose snapshot writes nothing: before the write-ahead, while a boot rebuilds the
// group, and once it is handed on (a `leave`: its record stays as it was).
const SILENT = new Set(['created', 'restoring', 'releasing', 'released']);

/**
 * The store of the model, once every write landed: a group's record is its write-ahead, then
 * its latest snapshot in a state that writes; a group that stopped (or was refused) has none.
 * A run's record is its latest snapshot (every state change is written, the latest wins).
 */
export class ModelStore {
  readonly groups = new Map<string, ModelGroupRecord>();
  /**
   * By run, in the order their records were first written: the order a boot reads them (an
   * SQLite store's rows, read with no order, come in the order they were inserted).
   */
  readonly runs = new Map<string, { readonly value: string; readonly context: RunContext }>();

  readonly inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.microstep' && event.type !== '@xstate.snapshot') return;
    const snapshot = event.snapshot as unknown as Snapshot<unknown>;
    const value = snapshot.value;
    if (snapshot.machine?.id === 'run') {
      const context = snapshot.context as RunContext;
      this.runs.set(context.runId, { value: String(value), context });
      return;
    }
    if (snapshot.machine?.id !== 'group' || event.type !== '@xstate.snapshot') return;
    const context = snapshot.context as GroupContext;
    if (typeof value === 'string' && SILENT.has(value)) return;
    if (value === 'stopped' || value === 'refused') this.groups.delete(context.path);
    else this.groups.set(context.path, recordOf(value, context));
  };
}

function recordOf(value: unknown, context: GroupContext): ModelGroupRecord {
  return {
    settings: context.settings,
    createdAt: context.createdAt,
    restartedAt: context.restartedAt,
    restarts: context.restarts,
    // The write-ahead (in `recording`) says `active`: the group will run its children.
    state: recordStateOf(value),
    children: context.children.map((child) => child.id),
    cancelReason: context.cancelReason,
  };
}

/** Whether the process of a run's current generation lives (it started and never exited). */
export function processAlive(context: RunContext): boolean {
  return context.identity !== null && context.processExit === null;
}

/** The runs a boot adopts: every recorded run but those done (finished records). */
export function liveRecords(store: ModelStore): RunContext[] {
  return [...store.runs.values()].filter((run) => run.value !== 'done').map((run) => run.context);
}

type AddGroup = Extract<SupervisorEvent, { type: 'ADD_GROUP' }>;
type AdoptRun = Extract<SupervisorEvent, { type: 'ADOPT_RUN' }>;

/** The groups a boot rebuilds, parents first, as `restoreGroups` sends them. */
export function restoredGroups(store: ModelStore, now: number): AddGroup[] {
  const recorded = store.groups;
  const paths = new Set<string>();
  const need = (path: string | null) => {
    for (let at = path; at !== null && !paths.has(at); at = parentPathOf(at)) paths.add(at);
  };
  for (const path of recorded.keys()) need(path);
  for (const run of liveRecords(store)) need(run.descriptor.group);
  const depth = (path: string) => path.split('/').length;
  const order = [...paths].sort(
    (a, b) =>
      depth(a) - depth(b) ||
      (recorded.get(a)?.createdAt ?? 0) - (recorded.get(b)?.createdAt ?? 0) ||
      a.localeCompare(b),
  );
  return order.map((path): AddGroup => {
    const record = recorded.get(path);
    if (record === undefined) {
      const settings = normalizeGroupOptions({});
      return { type: 'ADD_GROUP', path, settings, createdAt: now, restored: UNRECORDED_GROUP };
    }
    const { settings, createdAt, restartedAt, restarts, state, children, cancelReason } = record;
    const restored = { restartedAt, restarts, state, children, cancelReason };
    return { type: 'ADD_GROUP', path, settings, createdAt, restored };
  });
}

/**
 * The adoption of each live record, oldest first, with the facts a boot on the same host
 * measures: its recorded root lives (a member's process released alive) or exited (nothing
 * of it lives), no run host, the run's own orphan policy or the supervisor's.
 */
export function adoptions(store: ModelStore, policy: OrphanPolicy, at: number): AdoptRun[] {
  return liveRecords(store).map((record) => {
    const alive = processAlive(record);
    const facts: OrphanFacts = {
      fromEarlierBoot: false,
      rootCheck: record.identity === null ? null : alive ? 'alive' : 'exited',
      markedProcesses: alive ? 1 : 0,
      wasFinalizing: record.endReason !== null,
      hosted: false,
      policy: record.descriptor.onOrphan ?? policy,
    };
    return {
      type: 'ADOPT_RUN',
      record: structuredClone(record),
      facts,
      root: alive ? record.identity : null,
      at,
    };
  });
}
