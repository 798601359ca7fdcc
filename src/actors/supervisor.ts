// The supervisor actor: the supervisor machine plus the runs it holds, and the public API.
import { createActor, waitFor, type Actor } from 'xstate';
import {
  LimitExceededError,
  StoreError,
  SupervisorStoppedError,
  toErrorInfo,
  UnknownRunError,
} from '../errors.js';
import { StoreHealth, type StoreHealthInfo } from './store-health.js';
import type { runMachine } from '../machines/run-machine.js';
import { supervisorMachine, type ShutdownRuns } from '../machines/supervisor-machine.js';
import { normalizeRunSpec, type RunSpec } from '../options/run-spec.js';
import type { ResolvedSupervisorOptions } from '../options/supervisor-options.js';
import {
  acquireOwnerLease,
  releaseOwnerLease,
  type OwnerLease,
} from '../persistence/owner-lease.js';
import type { RecordStore } from '../persistence/record-store.js';
import type { ValidRunRecord } from '../persistence/run-record-schema.js';
import type { RunContext } from '../machines/run-context.js';
import type { ProcessIdentity } from '../os/process-identity.js';
import type { OrphanDecision } from './decide-orphan.js';
import { reconcileOnBoot } from './reconcile-on-boot.js';
import { reconcileLive } from './reconcile-live.js';
import type { ReconcileReport } from './reconcile-report.js';
import type { CancelReason, RunErrorInfo, RunExit, RunInfo } from '../types.js';
import { createRunId } from './create-run-id.js';
import { launchRun } from './launch-run.js';
import { RunController } from './run-controller.js';
import type { RunEnvironment } from './run-environment.js';
import { RunHandle } from './run-handle.js';
import { RunRegistry } from './run-registry.js';
import { bindRunMachine } from './bind-run-machine.js';
import { settleOrphan } from './settle-orphan.js';
import { SupervisorReporting } from './supervisor-reporting.js';
import {
  classifyOwners,
  type OwnerReconcileResult,
  type ReconcileOwnersOptions,
} from './reconcile-owners.js';
import { EventFanout, type SupervisorEventListener } from './supervisor-events.js';
import { DurableProcess } from '../host/client/durable-process.js';
import { hostedBootSteps, type FoundHostedRun } from '../host/client/find-hosted-run.js';
import { removeOutputLog } from '../host/output-log.js';
import { RunHostLink } from '../host/client/run-host-link.js';
import { runDirFor } from '../host/run-host-paths.js';

export class Supervisor {
  readonly name: string;
  private readonly actor: Actor<typeof supervisorMachine>;
  private readonly runs: RunRegistry;
  /** Record writes of runs released on a `leave` shutdown, awaited before the store closes. */
  private readonly releasedWrites: Array<Promise<void>> = [];
  private lease: OwnerLease | null = null;
  private report: ReconcileReport | null = null;
  private readonly fanout: EventFanout;
  private readonly reporting: SupervisorReporting;
  private readonly env: RunEnvironment;
  private readonly machine: typeof runMachine;
  private readonly hostLink: RunHostLink;
  private readonly health: StoreHealth;

  constructor(
    private readonly options: ResolvedSupervisorOptions,
    private readonly store: RecordStore,
    private readonly closeStore: () => Promise<void>,
    /** The resolved home directory: the run host and durable output logs live there. */
    home: string,
  ) {
    const journal = store;
    this.name = options.name;
    this.hostLink = new RunHostLink(home, options.name, options.hostProtocol);
    this.runs = new RunRegistry(options.maxFinishedRuns, options.retention.maxFinishedRecords);
    const logger = options.logger;
    this.fanout = new EventFanout((error) => {
      logger.error({ err: error }, 'supervisor event listener threw');
    });
    this.reporting = new SupervisorReporting(this.fanout, logger);
    this.health = new StoreHealth(
      () => options.clock.now(),
      () => store.get(store.healthKey()),
      (health) => {
        this.reporting.storeHealth(health);
        // A store that comes back may have lost what it held (a Redis restarted without
        // persistence): every run held in memory writes its record again.
        if (health.state === 'ok') for (const run of this.runs.controllers()) run.rewriteRecord();
      },
    );
    this.env = {
      clock: options.clock,
      logger,
      journal,
      inspect: options.inspect,
      hostLink: this.hostLink,
      launch: (runId, descriptor) =>
        launchRun(runId, descriptor, this.name, { link: this.hostLink, logger }),
      replacePredecessors: (run) => this.replacePredecessors(run),
      reportSweep: (run, report) => {
        this.reporting.sweep(run, report);
      },
      onRecordFailure: (run, error) => {
        this.reporting.recordFailed(run, error);
        this.health.failed(run.id, toErrorInfo(error, 'E_STORE_WRITE'));
      },
      onRecordRecovered: (run) => {
        this.health.caughtUp(run.id);
      },
      onStateChange: (run, from, to) => {
        this.reporting.stateChange(run, from, to);
      },
      onDone: (run, exit) => {
        this.onDone(run, exit);
      },
    };
    this.machine = bindRunMachine((runId) => this.runs.run(runId));
    this.actor = createActor(
      supervisorMachine.provide({
        actions: {
          drainRuns: ({ context }) => {
            this.drainRuns(context.shutdownRuns ?? 'kill');
          },
        },
      }),
      options.inspect === undefined ? {} : { inspect: options.inspect },
    );
    this.actor.start();
  }

  /**
   * Takes the owner lease, reconciles the previous supervisor's runs, and starts serving.
   * On failure nothing was signalled that had not been verified, and the lease is released.
   */
  async boot(): Promise<ReconcileReport> {
    try {
      this.lease = await acquireOwnerLease(
        this.store,
        this.options.clock.now(),
        this.options.logger,
      );
      this.report = await reconcileOnBoot(
        {
          store: this.store,
          logger: this.options.logger,
          now: () => this.options.clock.now(),
          defaultPolicy: this.options.onOrphan,
          retention: this.options.retention,
          adoptOrphan: (record, decision, root, hosted, why) =>
            this.adoptOrphan(record, decision, root, hosted, why),
          ...hostedBootSteps(this.hostLink),
          removeRunFiles: (runId) => {
            this.removeRunFiles(runId);
          },
          retainFinished: (record) => {
            this.runs.retain(record);
          },
          rewriteAdopted: async (runId) => {
            const run = this.runs.run(runId);
            if (run === undefined || run.state === 'done') return;
            run.rewriteRecord();
            await run.flushJournal();
          },
        },
        false,
      );
    } catch (error) {
      // Runs adopted before the failure must not act for a supervisor that does not exist.
      for (const run of this.runs.live()) run.release();
      this.actor.send({ type: 'BOOT_FAILED' });
      await this.releaseResources();
      throw error;
    }
    this.options.logger.info({ ...this.report, type: 'reconcile' }, 'boot reconciliation');
    this.actor.send({ type: 'BOOTED' });
    this.health.start();
    return this.report;
  }

  /** The report of the boot reconciliation (null before boot finished). */
  get lastReconcile(): ReconcileReport | null {
    return this.report;
  }

  /**
   * Whether every run's latest record is in the store. `degraded` while writes fail: runs
   * go on, new spawns are refused with a StoreError, and the records catch up on recovery.
   */
  get storeHealth(): StoreHealthInfo {
    return this.health.info();
  }

  /** The supervisor machine's state. */
  get state(): 'booting' | 'active' | 'draining' | 'stopped' {
    return this.actor.getSnapshot().value;
  }

  /** What the shutdown under way does with live runs (the first request's), or null. */
  get shutdownRuns(): ShutdownRuns | null {
    return this.actor.getSnapshot().context.shutdownRuns;
  }

  /** Starts a run. Resolves once its process exists (or it ended: spawn error, replaced). */
  async spawn(spec: RunSpec): Promise<RunHandle> {
    const descriptor = normalizeRunSpec(spec, this.options);
    if (this.state !== 'active') throw new SupervisorStoppedError();
    if (this.runs.live().length >= this.options.maxLiveRuns) {
      throw new LimitExceededError(
        'E_MAX_LIVE_RUNS',
        `limits.maxLiveRuns (${this.options.maxLiveRuns}) live runs already; finish or cancel one first`,
      );
    }
    const runId = createRunId();
    const run = new RunController(this.env, this.machine, {
      input: { runId, descriptor, createdAt: this.options.clock.now() },
    });
    const handle = this.register(run);
    run.start();
    await run.settled();
    const exit = run.context.exit;
    if (exit?.reason === 'spawn-error' && exit.error?.code === 'E_STORE_WRITE') {
      // No durable record, so no run: it is forgotten, and the caller told why.
      run.discard();
      this.runs.remove(run.id);
      this.health.caughtUp(run.id);
      this.health.refused(exit.error);
      this.actor.send({ type: 'RUN_REMOVED', runId: run.id });
      throw new StoreError(
        'E_STORE_UNAVAILABLE',
        `run ${run.id} was not started: ${exit.error.message}`,
      );
    }
    return handle;
  }

  /** A snapshot of one run (live or retained finished), or undefined. */
  get(id: string): RunInfo | undefined {
    return this.runs.info(id);
  }

  /** The handle of a run this supervisor holds, or undefined. */
  handle(id: string): RunHandle | undefined {
    return this.runs.handle(id);
  }

  /** Snapshots of every run: live ones and retained finished ones, oldest first. */
  list(): RunInfo[] {
    return this.runs.infos();
  }

  /** Finalizes one run. Resolves with its exit (at once if it already ended). */
  cancel(id: string, reason: CancelReason = 'cancelled'): Promise<RunExit> {
    const run = this.runs.run(id);
    if (run === undefined) return Promise.reject(new UnknownRunError(id));
    return this.cancelRun(run, reason);
  }

  /** Finalizes every live run of a scope. */
  async cancelScope(scopeKey: string, reason: CancelReason = 'cancelled'): Promise<RunExit[]> {
    const inScope = this.runs.live().filter((run) => run.context.descriptor.scopeKey === scopeKey);
    return Promise.all(inScope.map((run) => this.cancelRun(run, reason)));
  }

  /** Cancels (`owner-gone`) every live run whose explicit `ownerId` the host no longer knows. */
  async reconcileOrphans(options: ReconcileOwnersOptions): Promise<OwnerReconcileResult> {
    const live = this.runs.live().map((run) => run.info());
    const result = classifyOwners(live, options);
    if (!result.dryRun) {
      await Promise.all(
        result.cancelled.map((info) => this.cancel(info.id, 'owner-gone').catch(() => undefined)),
      );
    }
    this.options.logger.info(
      {
        dryRun: result.dryRun,
        cancelled: result.cancelled.map((info) => info.id),
        kept: result.kept.length,
        unowned: result.unowned.length,
      },
      'owner reconciliation',
    );
    return result;
  }

  /**
   * Reconciles a running supervisor with the process table: marker-carrying processes of
   * runs that already finished (escapees) are ended, markers of unknown runs are reported.
   * With `dryRun` nothing is signalled. (Boot reconciliation is `lastReconcile`.)
   */
  reconcile(options: { dryRun?: boolean } = {}): Promise<ReconcileReport> {
    const newer = this.report?.newer ?? [];
    return reconcileLive(this.runs, this.options.logger, options.dryRun ?? false, newer);
  }

  /** Subscribes to lifecycle events. Returns an unsubscribe function. */
  onEvent(listener: SupervisorEventListener): () => void {
    return this.fanout.subscribe(listener);
  }

  /**
   * Stops the supervisor. `kill` (default) finalizes every live run with reason `shutdown`
   * and waits until each tree is verified dead; `leave` stops supervising without a signal.
   */
  async shutdown(options: { runs?: ShutdownRuns } = {}): Promise<void> {
    const runs = options.runs ?? 'kill';
    if (this.state === 'active' || this.state === 'booting') {
      if (this.state === 'booting') this.actor.send({ type: 'BOOTED' });
      this.actor.send({ type: 'SHUTDOWN', runs });
    }
    await waitFor(this.actor, (snapshot) => snapshot.status === 'done', { timeout: Infinity });
    // Every final record is written before a run counts as removed; pending writes of
    // released runs finish here, before the store closes.
    await Promise.all([
      ...this.runs.controllers().map((run) => run.flushJournal()),
      ...this.releasedWrites,
    ]);
    await this.releaseResources();
  }

  private async releaseResources(): Promise<void> {
    this.health.stop();
    this.hostLink.close();
    const lease = this.lease;
    this.lease = null;
    if (lease !== null) {
      await releaseOwnerLease(this.store, lease).catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'could not release the owner lease');
      });
    }
    await this.closeStore().catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'could not close the store');
    });
  }

  // Restores a live record into `orphaned` (no entry action runs, so nothing spawns) and
  // carries out the decision. Resolves once the decision settled.
  private async adoptOrphan(
    record: ValidRunRecord,
    decision: OrphanDecision,
    root: ProcessIdentity | null,
    hosted: FoundHostedRun | null,
    why: RunErrorInfo | null,
  ): Promise<void> {
    const context = record.snapshot.context as unknown as RunContext;
    const run = new RunController(this.env, this.machine, {
      input: { runId: context.runId, descriptor: context.descriptor, createdAt: context.createdAt },
      snapshot: record.snapshot,
    });
    this.register(run);
    run.start();
    const handle =
      hosted === null
        ? null
        : new DurableProcess({
            link: this.hostLink,
            runId: run.id,
            pid: hosted.status.pid,
            mode: context.descriptor.mode,
            host: hosted.host,
            // Resume where the record says delivery stood; the host's log has the rest.
            since: Math.min(context.outputBytes, hosted.status.outputEnd),
            logger: this.options.logger,
          });
    await settleOrphan(run, decision, root, this.options.clock.now(), handle, why);
  }

  private removeRunFiles(runId: string): void {
    try {
      removeOutputLog(runDirFor(this.hostLink.paths, runId));
    } catch (error) {
      this.options.logger.warn({ runId, err: error }, 'could not remove a run log');
    }
  }

  private register(run: RunController): RunHandle {
    const handle = new RunHandle(run, (reason) => this.cancelRun(run, reason));
    this.runs.add(run, handle);
    this.actor.send({ type: 'RUN_ADDED', runId: run.id });
    return handle;
  }

  private async cancelRun(run: RunController, reason: CancelReason): Promise<RunExit> {
    // A run being spawned gets its process first, so cancelling can never race the spawn.
    if (run.state === 'spawning') await run.settled();
    run.send({ type: 'CANCEL', reason, at: this.options.clock.now() });
    return run.exited;
  }

  private async replacePredecessors(run: RunController): Promise<void> {
    const { scopeKey, replaceExistingScope } = run.context.descriptor;
    if (scopeKey === null || !replaceExistingScope) return;
    const predecessors = this.runs.predecessorsOf(run, scopeKey);
    for (const predecessor of predecessors) {
      this.reporting.replaced(predecessor.id, run.id, scopeKey);
    }
    await Promise.all(predecessors.map((predecessor) => this.cancelRun(predecessor, 'replaced')));
  }

  private onDone(run: RunController, exit: RunExit): void {
    this.reporting.finalized(run, exit);
    void this.deleteRecords(this.runs.finish(run.id));
    this.actor.send({ type: 'RUN_REMOVED', runId: run.id });
  }

  // Final records beyond retention.maxFinishedRecords are deleted, oldest first.
  private async deleteRecords(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      await this.store.delete(this.store.runKey(id)).catch((error: unknown) => {
        this.options.logger.warn({ runId: id, err: error }, 'could not delete an expired record');
      });
      this.removeRunFiles(id);
    }
  }

  private drainRuns(mode: ShutdownRuns): void {
    for (const run of this.runs.live()) {
      if (mode === 'leave') {
        run.release();
        this.releasedWrites.push(run.flushJournal());
        this.runs.remove(run.id);
        this.actor.send({ type: 'RUN_REMOVED', runId: run.id });
      } else {
        void this.cancelRun(run, 'shutdown');
      }
    }
  }
}
