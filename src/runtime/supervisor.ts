// The supervisor: the public API over one actor system. Its root is the supervisor
// machine; runs are its child actors, and it decides. This class sends events, reads
// snapshots, and executes what the machines decided; it keeps no lifecycle state itself.
import { createActor, waitFor, type Actor } from 'xstate';
import { UnknownRunError } from '../errors.js';
import { supervisorMachine, type ShutdownRuns } from '../machines/supervisor-machine.js';
import { liveRunsOf } from '../machines/supervisor-context.js';
import type { RunSpec } from '../options/run-spec.js';
import type { ResolvedSupervisorOptions } from '../options/supervisor-options.js';
import type { RecordStore } from '../persistence/record-store.js';
import type {
  CancelReason,
  ContainmentInfo,
  GroupInfo,
  GroupOptions,
  RunExit,
  RunInfo,
} from '../types.js';
import { checkGroupId } from '../options/group-options.js';
import type { Group } from './group-handle.js';
import { SupervisorGroups } from './supervisor-groups.js';
import { reconcileLive, runsView } from '../reconcile/reconcile-live.js';
import type { ReconcileReport } from '../reconcile/reconcile-report.js';
import {
  reconcileOwners,
  type OwnerReconcileResult,
  type ReconcileOwnersOptions,
} from '../reconcile/reconcile-owners.js';
import { EventFanout, type SupervisorEventListener } from './supervisor-events.js';
import { RunHostLink } from '../host/client/run-host-link.js';
import { SupervisorLifecycle } from './supervisor-lifecycle.js';
import { inspectionHook } from './inspection-hook.js';
import { provideMachines } from './provide-machines.js';
import { RunHandle } from './run-handle.js';
import { RunHistory } from './run-history.js';
import type { RunRuntime } from './run-runtime.js';
import type { Containment } from '../os/cgroup/containment.js';
import { containmentInfo } from './containment-info.js';
import { spawnRun } from './spawn-run.js';
import { SupervisorRuntime } from './supervisor-runtime.js';
import type { StoreHealthInfo } from './store-health-info.js';
import {
  readSupervisorTree,
  supervisorStateOf,
  type SupervisorState,
  type SupervisorTree,
} from './supervisor-tree.js';

export type { SupervisorState } from './supervisor-tree.js';

export class Supervisor {
  readonly name: string;
  private readonly actor: Actor<typeof supervisorMachine>;
  private readonly runtime: SupervisorRuntime;
  private readonly groupOps: SupervisorGroups;
  private readonly lifecycle: SupervisorLifecycle;

  constructor(
    private readonly options: ResolvedSupervisorOptions,
    store: RecordStore,
    closeStore: () => Promise<void>,
    /** The resolved home directory: the run host and durable output logs live there. */
    home: string,
    /** How its runs' trees are held (decided when it was opened). */
    containment: Containment,
  ) {
    this.name = options.name;
    const logger = options.logger;
    const fanout = new EventFanout((error) => {
      logger.error({ err: error }, 'supervisor event listener threw');
    });
    const hostLink = new RunHostLink(home, options.name, options.hostProtocol);
    const history = new RunHistory(options.maxFinishedRuns);
    this.runtime = new SupervisorRuntime(options, store, hostLink, history, fanout, containment);
    this.lifecycle = new SupervisorLifecycle({
      options,
      store,
      closeStore,
      hostLink,
      history,
      runtime: this.runtime,
      actor: () => this.actor,
      liveRunIds: () => this.liveRunIds(),
    });
    const machine = provideMachines(this.runtime.env, this.lifecycle.effects());
    this.actor = createActor(machine, {
      input: {
        createdAt: options.clock.now(),
        maxLiveRuns: options.maxLiveRuns,
        maxFinalRecords: options.retention.maxFinishedRecords,
      },
      inspect: inspectionHook(options.inspect, logger, (ref) => {
        this.runtime.actorCreated(ref);
      }),
    });
    this.runtime.listen(this.actor);
    this.groupOps = new SupervisorGroups({
      actor: this.actor,
      records: this.runtime.groups,
      clock: options.clock,
      spawn: (path, spec) => this.spawnIn(path, spec),
      runtime: (runId) => this.runtime.env.runtime(runId),
      info: (runId) => this.get(runId),
    });
    this.actor.subscribe({
      error: (error) => {
        logger.error({ err: error }, 'the supervisor actor failed');
      },
    });
    this.actor.start();
  }

  /**
   * Takes the owner lease, reconciles the previous supervisor's runs, and starts serving.
   * Runs once: a supervisor that booted (or is booting) refuses, and nothing changes. On
   * failure nothing was signalled that had not been verified, and the lease is released.
   */
  async boot(): Promise<ReconcileReport> {
    return this.lifecycle.boot(this.name);
  }

  /** How its runs' trees are held (a cgroup per run, or the marker), and why. */
  get containment(): ContainmentInfo {
    return containmentInfo(this.runtime.containment);
  }

  /** The report of the boot reconciliation (null before boot finished). */
  get lastReconcile(): ReconcileReport | null {
    return this.lifecycle.report;
  }

  /**
   * Whether every run's latest record is in the store. `degraded` while writes fail: runs
   * go on, new spawns are refused with a StoreError, and the records catch up on recovery.
   */
  get storeHealth(): StoreHealthInfo {
    return this.runtime.storeHealth();
  }

  /** The supervisor machine's state. */
  get state(): SupervisorState {
    return supervisorStateOf(this.actor.getSnapshot());
  }

  /** What the shutdown under way does with live runs (the first request's), or null. */
  get shutdownRuns(): ShutdownRuns | null {
    return this.actor.getSnapshot().context.shutdownRuns;
  }

  /**
   * Starts a run. Resolves once its process exists and the record naming it is durable
   * (or it ended first: a spawn error, a replacement, a `leave` shutdown).
   */
  spawn(spec: RunSpec): Promise<RunHandle> {
    return this.spawnIn(null, spec);
  }

  /**
   * Creates (or returns the live) top-level group `id`: a nested supervisor with its own
   * strategy and restart intensity. Its record is durable before it resolves.
   */
  group(id: string, options?: GroupOptions): Promise<Group> {
    return this.groupOps.add(checkGroupId(id), options);
  }

  /** The live group at `path` (`agent-1/mcp`), or undefined. */
  findGroup(path: string): Group | undefined {
    return this.groupOps.handle(path);
  }

  /** Every live group, parents first. */
  groups(): GroupInfo[] {
    return this.groupOps.list();
  }

  private async spawnIn(group: string | null, spec: RunSpec): Promise<RunHandle> {
    const run = await spawnRun(this.actor, this.runtime, this.options, group, spec);
    return this.runtime.handle(run, (reason) => this.cancelRun(run, reason));
  }

  /** A snapshot of one run (live or retained finished), or undefined. */
  get(id: string): RunInfo | undefined {
    return this.runtime.info(id);
  }

  /** The handle of a run this supervisor holds, or undefined. */
  handle(id: string): RunHandle | undefined {
    const run = this.runtime.env.runtime(id);
    return run && this.runtime.handle(run, (reason) => this.cancelRun(run, reason));
  }

  /** The supervision tree now: this supervisor's actor, its groups and its live runs. */
  tree(): SupervisorTree {
    return readSupervisorTree(this.actor.getSnapshot(), {
      name: this.name,
      state: this.state,
      storeHealth: this.storeHealth.state,
    });
  }

  /** Snapshots of every run: live ones and retained finished ones, oldest first. */
  list(): RunInfo[] {
    return this.runtime.infos();
  }

  /** Finalizes one run. Resolves with its exit (at once if it already ended). */
  cancel(id: string, reason: CancelReason = 'cancelled'): Promise<RunExit> {
    const run = this.runtime.env.runtime(id);
    if (run === undefined) return Promise.reject(new UnknownRunError(id));
    return this.cancelRun(run, reason);
  }

  /** Finalizes every live run of a scope. */
  async cancelScope(scopeKey: string, reason: CancelReason = 'cancelled'): Promise<RunExit[]> {
    const inScope = this.liveRuns().filter((run) => run.context.descriptor.scopeKey === scopeKey);
    return Promise.all(inScope.map((run) => this.cancelRun(run, reason)));
  }

  /** Cancels (`owner-gone`) every live run whose explicit `ownerId` the host no longer knows. */
  reconcileOrphans(options: ReconcileOwnersOptions): Promise<OwnerReconcileResult> {
    const live = this.liveRuns().map((run) => run.info());
    return reconcileOwners(
      live,
      options,
      (id) => this.cancel(id, 'owner-gone'),
      this.options.logger,
    );
  }

  /**
   * Reconciles a running supervisor with the process table: marker-carrying processes of
   * runs that already finished (escapees) are ended, markers of unknown runs are reported.
   * With `dryRun` nothing is signalled. (Boot reconciliation is `lastReconcile`.)
   */
  reconcile(options: { dryRun?: boolean } = {}): Promise<ReconcileReport> {
    return reconcileLive(
      runsView(this.liveRunIds(), (id) => this.get(id)),
      this.options.logger,
      options.dryRun ?? false,
      this.lifecycle.report?.newer ?? [],
    );
  }

  /** Subscribes to lifecycle events. Returns an unsubscribe function. */
  onEvent(listener: SupervisorEventListener): () => void {
    return this.runtime.fanout.subscribe(listener);
  }

  /**
   * Stops the supervisor. `kill` (default) finalizes every live run with reason `shutdown`
   * and waits until each tree is verified dead; `leave` stops supervising without a signal.
   * The first request decides; later ones wait for the same end.
   */
  async shutdown(options: { runs?: ShutdownRuns } = {}): Promise<void> {
    // Output not reported yet reaches every record before the runs are let go.
    for (const run of this.liveRuns()) run.flushOutput();
    // A stopped system has nothing left to shut down; the first request decides the rest.
    if (this.actor.getSnapshot().status === 'active')
      this.actor.send({
        type: 'SHUTDOWN',
        runs: options.runs ?? 'kill',
        at: this.options.clock.now(),
      });
    await waitFor(this.actor, (snapshot) => snapshot.status !== 'active', {
      timeout: Infinity,
    }).catch(() => undefined);
  }

  /** Ends a group's subtree, last started first, each tree verified dead. */
  cancelGroup(path: string, reason: CancelReason = 'cancelled'): Promise<RunExit[]> {
    return this.groupOps.cancel(path, reason);
  }

  private cancelRun(run: RunRuntime, reason: CancelReason): Promise<RunExit> {
    run.send({ type: 'CANCEL', reason, at: this.options.clock.now() });
    return run.exited;
  }

  private liveRunIds(): string[] {
    return liveRunsOf(this.actor.getSnapshot().context);
  }

  private liveRuns(): RunRuntime[] {
    return this.liveRunIds().flatMap((id) => this.runtime.env.runtime(id) ?? []);
  }
}
