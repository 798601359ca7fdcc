// The boot effect: take the owner lease, then reconcile the previous supervisor's runs.
// Each live record is adopted as a child of the supervisor actor (ADOPT_RUN), whose run
// machine decides its fate from the facts gathered here.
import type { Actor } from 'xstate';
import type { AdoptionDecision, OrphanFacts } from '../machines/decide-orphan.js';
import type { AdoptionOutcome } from '../reconcile/note-decision.js';
import type { RunContext } from '../machines/run-context.js';
import type { supervisorMachine } from '../machines/supervisor-machine.js';
import type { ResolvedSupervisorOptions } from '../options/supervisor-options.js';
import type { ProcessIdentity } from '../os/process-identity.js';
import { acquireOwnerLease, type OwnerLease } from '../persistence/owner-lease.js';
import type { RecordStore } from '../persistence/record-store.js';
import type { ValidRunRecord } from '../persistence/run-record-schema.js';
import type { RunErrorInfo } from '../types.js';
import type { GroupRecord } from '../persistence/group-record.js';
import { parentPathOf, UNRECORDED_GROUP, type GroupHistory } from '../machines/group-context.js';
import { normalizeGroupOptions } from '../options/group-options.js';
import { SupervisorStoppedError } from '../errors.js';
import { DurableProcess } from '../host/client/durable-process.js';
import { hostedBootSteps, type FoundHostedRun } from '../host/client/find-hosted-run.js';
import type { RunHostLink } from '../host/client/run-host-link.js';
import { reconcileOnBoot } from '../reconcile/reconcile-on-boot.js';
import type { ReconcileReport } from '../reconcile/reconcile-report.js';
import type { RunHistory } from './run-history.js';
import type { RunRuntime } from './run-runtime.js';

/** What boot needs from the supervisor runtime. */
export interface BootDeps {
  readonly options: ResolvedSupervisorOptions;
  readonly store: RecordStore;
  readonly hostLink: RunHostLink;
  readonly history: RunHistory;
  readonly actor: () => Actor<typeof supervisorMachine>;
  /** Creates (and registers) the runtime of a run about to become a child actor. */
  createRuntime(context: RunContext): RunRuntime;
  runtime(runId: string): RunRuntime | undefined;
  removeRunFiles(runId: string): void;
  /** Its cgroup area (cgroup containment), or null. */
  readonly cgroupArea: string | null;
  /** The lease is held from here on (released when the supervisor closes). */
  leaseTaken(lease: OwnerLease): void;
  /**
   * Removes the cgroups of its area no live run holds, but those of `untouched` runs; the
   * stray ones (cgroup containment).
   */
  sweepCgroups(untouched: ReadonlySet<string>): Promise<string[]>;
}

export async function bootSupervisor(
  deps: BootDeps,
  /** Aborted when the supervisor leaves `booting` (a shutdown): boot stops where it is. */
  signal: AbortSignal,
): Promise<ReconcileReport> {
  const { options, store } = deps;
  // The lease is handed over at once: the close effect (which waits for this boot to end)
  // releases it, whether boot went on or was called off.
  deps.leaseTaken(await acquireOwnerLease(store, options.clock.now(), options.logger));
  if (signal.aborted)
    throw new SupervisorStoppedError('the supervisor was shut down while it booted');
  const retained: string[] = [];
  const leftAlone = new Set<string>();
  const report = await reconcileOnBoot(
    {
      store,
      signal,
      logger: options.logger,
      now: () => options.clock.now(),
      defaultPolicy: options.onOrphan,
      cgroupArea: deps.cgroupArea,
      retention: options.retention,
      adoptOrphan: (record, facts, root, hosted, why) =>
        adoptOrphan(deps, record, facts, root, hosted, why),
      ...hostedBootSteps(deps.hostLink),
      removeRunFiles: (runId) => {
        deps.removeRunFiles(runId);
      },
      restoreGroups: (groups, live) => {
        restoreGroups(deps, groups, live);
      },
      leaveAlone: (runId) => {
        leftAlone.add(runId);
      },
      retainFinished: (record) => {
        deps.history.retain(record);
        retained.push(record.runId);
      },
      rewriteAdopted: async (runId) => {
        // Its record was migrated: the adopted run's own record replaces the old shape.
        const run = deps.runtime(runId);
        if (run === undefined || run.state === 'done') return;
        run.records.rewrite();
        await run.records.whenDurable();
      },
    },
    false,
  );
  // One event, oldest first: these records expire before any run that ended in this boot.
  if (retained.length > 0) deps.actor().send({ type: 'RETAIN_RECORDS', runIds: retained });
  // Every orphan is decided: what no live run holds in the area is a stray.
  // Runs whose records vouch for nothing here (another host's, an earlier boot's, a newer
  // runwarden's, quarantined ones) are never judged: their leaves stay.
  const untouched = new Set([
    ...leftAlone,
    ...report.newer.flatMap((record) => (record.runId === null ? [] : [record.runId])),
    ...report.quarantined.map((entry) => entry.runId),
  ]);
  const strayCgroups = await deps.sweepCgroups(untouched).catch((error: unknown) => {
    options.logger.error({ err: error }, 'could not sweep the stray cgroups of this supervisor');
    return [];
  });
  const swept = { ...report, strayCgroups };
  options.logger.info({ ...swept, type: 'reconcile' }, 'boot reconciliation');
  return swept;
}

// Rebuilds every recorded group, and every group a live record names that has no record
// (its record was lost or set aside: default options), parents first, before any adoption.
function restoreGroups(
  deps: BootDeps,
  groups: readonly GroupRecord[],
  live: readonly RunContext[],
): void {
  const recorded = new Map(groups.map((group) => [group.path, group]));
  const paths = new Set<string>();
  const need = (path: string | null) => {
    for (let at = path; at !== null && !paths.has(at); at = parentPathOf(at)) paths.add(at);
  };
  for (const group of groups) need(group.path);
  for (const run of live) need(run.descriptor.group);
  // Parents first; siblings in the order they were created.
  const order = [...paths].sort(
    (a, b) =>
      depthOf(a) - depthOf(b) ||
      (recorded.get(a)?.createdAt ?? 0) - (recorded.get(b)?.createdAt ?? 0) ||
      a.localeCompare(b),
  );
  const now = deps.options.clock.now();
  for (const path of order) {
    const record = recorded.get(path);
    deps.actor().send({
      type: 'ADD_GROUP',
      path,
      settings: record?.settings ?? normalizeGroupOptions({}),
      createdAt: record?.createdAt ?? now,
      restored: record === undefined ? UNRECORDED_GROUP : historyOf(record),
    });
  }
}

function historyOf(record: GroupRecord): GroupHistory {
  const { restartedAt, restarts, state, children, cancelReason } = record;
  return { restartedAt, restarts, state, children, cancelReason };
}

function depthOf(path: string): number {
  return path.split('/').length;
}

// Adopts a live record as a child actor in `orphaned` and hands its machine the facts.
// Resolves with what it decided, once settled (a killed orphan: its tree verified dead).
async function adoptOrphan(
  deps: BootDeps,
  record: ValidRunRecord,
  facts: OrphanFacts,
  root: ProcessIdentity | null,
  hosted: FoundHostedRun | null,
  why: RunErrorInfo | null,
): Promise<AdoptionOutcome> {
  const context = record.snapshot.context as unknown as RunContext;
  const adopt = {
    type: 'ADOPT_RUN',
    record: context,
    facts,
    root,
    at: deps.options.clock.now(),
    ...(why === null ? {} : { error: why }),
  } as const;
  // A shutdown during boot: nothing more is adopted (the record stays as it is).
  if (!deps.actor().getSnapshot().can(adopt)) throw new SupervisorStoppedError();
  const run = deps.createRuntime(context);
  run.holdHosted(
    hosted === null
      ? null
      : new DurableProcess({
          link: deps.hostLink,
          runId: context.runId,
          pid: hosted.status.pid,
          mode: context.descriptor.mode,
          host: hosted.host,
          // Resume where the record says delivery stood; the host's log has the rest.
          since: Math.min(context.outputBytes, hosted.status.outputEnd),
          logger: deps.options.logger,
        }),
  );
  deps.actor().send(adopt);
  // A killed orphan is settled once its tree is verified dead: its run then ends, or waits
  // in `backoff` if its policy restarts it (never before that: one generation at a time).
  const settled = await run.settled();
  const state: string = settled.value;
  const { endReason, generationEnd, nextStartAt } = settled.context;
  // Waiting to start again: by itself (`backoff`) or for its group (`held`).
  const restarting = state === 'backoff' || state === 'held';
  // Back in `backoff` at its recorded time: it was waiting (a new end has a new time).
  const resumed = restarting && context.nextStartAt !== null && nextStartAt === context.nextStartAt;
  const decision: AdoptionDecision =
    state === 'orphaned'
      ? 'uncertain'
      : state === 'running' || state === 'idle'
        ? 'reattach'
        : resumed
          ? 'restart'
          : (restarting ? generationEnd : endReason) === 'lost'
            ? 'lost'
            : 'kill';
  await run.records.flush();
  return { decision, restarting };
}
