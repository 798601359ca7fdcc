// What one supervisor's actor system runs on: its runs' runtimes (by run id), the finished
// ones' history, group records, pending deletes, reports. It carries out what the machines
// emit and decide; it decides nothing.
import type { Actor, AnyActorRef, SnapshotFrom } from 'xstate';
import { toErrorInfo } from '../errors.js';
import type { RunContext } from '../machines/run-context.js';
import type { StoreHealthEvent, storeHealthMachine } from '../machines/store-health-machine.js';
import type { RunActorRef, supervisorMachine } from '../machines/supervisor-machine.js';
import { GroupRecords } from './group-records.js';
import { groupSystemId } from '../machines/group-context.js';
import { watchGroupState } from './watch-group-state.js';
import type { ResolvedSupervisorOptions } from '../options/supervisor-options.js';
import { releaseOwnerLease, type OwnerLease } from '../persistence/owner-lease.js';
import type { RecordStore } from '../persistence/record-store.js';
import type { CancelReason, RunExit, RunInfo } from '../types.js';
import { launchRun } from '../effects/launch-run.js';
import type { Containment } from '../os/cgroup/containment.js';
import { sweepStrayCgroups, tidyArea } from './sweep-run-cgroups.js';
import type { EventFanout } from './supervisor-events.js';
import { SupervisorReporting } from './supervisor-reporting.js';
import { removeOutputLog } from '../host/output-log.js';
import type { RunHostLink } from '../host/client/run-host-link.js';
import { runDirFor } from '../host/run-host-paths.js';
import type { RecordQueue } from './record-queue.js';
import { RunHandle } from './run-handle.js';
import type { RunHistory } from './run-history.js';
import { RunRuntime } from './run-runtime.js';
import type { RuntimeEnvironment } from './runtime-environment.js';
import { storeHealthInfo, type StoreHealthInfo } from './store-health-info.js';

const GROUP_ACTOR_PREFIX = groupSystemId('');

// How long closing waits for a store that is down to take the latest records.
const CLOSE_RECORD_WAIT_MS = 10_000;

export class SupervisorRuntime {
  readonly env: RuntimeEnvironment;
  readonly reporting: SupervisorReporting;
  readonly groups: GroupRecords;
  private readonly runs = new Map<string, { run: RunRuntime; handle: RunHandle | null }>();
  private readonly deletes = new Set<Promise<void>>();
  // Every record queue with writes still to land, kept past its run's runtime (a finished
  // run dropped from memory): closing and deleting wait for these.
  private readonly queues = new Map<string, RecordQueue>();
  private health: AnyActorRef | null = null;
  private lastHealth: StoreHealthInfo;

  constructor(
    private readonly options: ResolvedSupervisorOptions,
    private readonly store: RecordStore,
    private readonly hostLink: RunHostLink,
    private readonly history: RunHistory,
    readonly fanout: EventFanout,
    /** How its runs' trees are held (decided when the supervisor was opened). */
    readonly containment: Containment,
  ) {
    const logger = options.logger;
    this.reporting = new SupervisorReporting(fanout, logger);
    this.groups = new GroupRecords(store, () => options.clock.now(), logger);
    this.lastHealth = { state: 'ok', since: options.clock.now(), lastError: null, laggingRuns: [] };
    this.env = {
      clock: options.clock,
      logger,
      journal: store,
      hostLink,
      runtime: (runId) => this.runs.get(runId)?.run,
      launch: (target) => launchRun(target, options.name, { link: hostLink, logger }, containment),
      reportSweep: (runId, report) => {
        this.reporting.sweep(runId, report);
      },
      onStateChange: (run, from, to) => {
        this.reporting.stateChange(run, from, to);
      },
      onRecordFailure: (runId, error) => {
        this.reporting.recordFailed(runId, error);
        const info = toErrorInfo(error, 'E_STORE_WRITE');
        this.tellHealth({ type: 'WRITE_FAILED', runId, error: info, at: options.clock.now() });
      },
      onRecordRefused: (runId, error) => {
        this.reporting.recordFailed(runId, error);
        const info = toErrorInfo(error, 'E_STORE_WRITE');
        this.tellHealth({ type: 'REFUSED', error: info, at: options.clock.now() });
      },
      onRecordsSettled: (runId) => {
        this.queues.delete(runId);
      },
      onRecordRecovered: (runId) => {
        this.tellHealth({ type: 'WRITE_LANDED', runId, at: options.clock.now() });
      },
    };
  }

  /** Creates the runtime of a run about to become a child actor (bound at its creation). */
  createRun(context: Pick<RunContext, 'runId' | 'descriptor' | 'outputBytes'>): RunRuntime {
    const run = new RunRuntime(this.env, context);
    this.runs.set(run.id, { run, handle: null });
    this.queues.set(run.id, run.records);
    return run;
  }

  /** Forgets a run that never became an actor, or one whose record was refused. */
  forget(runId: string): void {
    this.stopRecords(runId);
    this.runs.delete(runId);
  }

  /** The system created an actor: a run's runtime, a group's record, or the store health. */
  actorCreated(ref: AnyActorRef): void {
    if (ref.id.startsWith(GROUP_ACTOR_PREFIX)) {
      this.groups.follow(ref.id.slice(GROUP_ACTOR_PREFIX.length), ref);
      watchGroupState(ref, (from, group) => {
        this.reporting.groupState(from, group);
      });
      return;
    }
    if (ref.id === 'rw:store-health') {
      this.health = ref;
      ref.subscribe({
        next: (snapshot: SnapshotFrom<typeof storeHealthMachine>) => {
          const info = storeHealthInfo(snapshot);
          const changed = info.state !== this.lastHealth.state;
          this.lastHealth = info;
          if (changed) this.reporting.storeHealth(info);
        },
        error: (error: unknown) => {
          this.options.logger.error({ err: error }, 'store health machine failed');
        },
      });
      return;
    }
    const entry = this.runs.get(ref.id);
    if (entry !== undefined && !entry.run.bound) entry.run.bind(ref as RunActorRef);
  }

  /** Carries out what the supervisor machine emits. */
  listen(actor: Actor<typeof supervisorMachine>): void {
    actor.on('runEnded', ({ output }) => {
      const entry = this.runs.get(output.runId);
      if (entry === undefined) return;
      // The run's terminal snapshot (its last record) is taken in before anything acts on it.
      entry.run.catchUp();
      if (output.outcome === 'refused') {
        this.forget(output.runId);
        return;
      }
      // Reported as the machine let it go; `exited` resolves once its final record is down.
      if (output.outcome === 'done') this.reporting.finalized(output.runId, output.exit);
      for (const old of this.history.finish(entry.run)) this.runs.delete(old.id);
    });
    actor.on('runReplaced', ({ runId, by }) => {
      const scopeKey = this.runs.get(by)?.run.context.descriptor.scopeKey ?? '';
      this.reporting.replaced(runId, by, scopeKey);
    });
    actor.on('recordsExpired', ({ runIds }) => {
      // With no retention the run that just ended expires too: its last record goes first.
      for (const id of runIds) this.runs.get(id)?.run.catchUp();
      this.history.forget(runIds);
      for (const id of runIds) this.deleteRecord(id);
    });
  }

  /** The handle of a run (one per run). */
  handle(run: RunRuntime, cancel: (reason: CancelReason) => Promise<RunExit>): RunHandle {
    const entry = this.runs.get(run.id);
    if (entry === undefined) return new RunHandle(run, cancel);
    entry.handle ??= new RunHandle(run, cancel);
    return entry.handle;
  }

  info(id: string): RunInfo | undefined {
    return this.runs.get(id)?.run.info() ?? this.history.info(id);
  }

  /** Every run: live ones, kept finished ones and retained records, oldest first. */
  infos(): RunInfo[] {
    const byId = new Map(this.history.infos().map((info) => [info.id, info]));
    for (const { run } of this.runs.values()) if (run.bound) byId.set(run.id, run.info());
    return [...byId.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  storeHealth(): StoreHealthInfo {
    return this.lastHealth;
  }

  /** The store is back: every live run writes its current record again. */
  rewriteRecords(liveRunIds: readonly string[]): void {
    for (const id of liveRunIds) this.runs.get(id)?.run.records.rewrite();
  }

  removeRunFiles(runId: string): void {
    try {
      removeOutputLog(runDirFor(this.hostLink.paths, runId));
    } catch (error) {
      this.options.logger.warn({ runId, err: error }, 'could not remove a run log');
    }
  }

  /**
   * The close effect: every record and delete down, then the lease, then the store. A store
   * that is down gets CLOSE_RECORD_WAIT_MS to come back; the runs whose latest record it
   * never took are logged (the next boot works from their earlier records).
   */
  async close(lease: OwnerLease | null, closeStore: () => Promise<void>): Promise<void> {
    const queues = [...this.queues.entries()];
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(resolve, CLOSE_RECORD_WAIT_MS, 'timeout');
    });
    const durable = Promise.all(queues.map(([, queue]) => queue.whenDurable()));
    if ((await Promise.race([durable, bound])) === 'timeout') {
      this.options.logger.error(
        { runIds: queues.map(([runId]) => runId).filter((id) => this.queues.has(id)) },
        'the store did not take the latest records before closing',
      );
    }
    clearTimeout(timer);
    await Promise.all([...this.deletes]);
    await this.groups.settled();
    // Every run ended or was handed on: empty leaves go, and the area once nothing is in it.
    try {
      tidyArea(this.containment);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not tidy the cgroups of this supervisor');
    }
    for (const [runId] of queues) this.stopRecords(runId);
    this.hostLink.close();
    if (lease !== null) {
      await releaseOwnerLease(this.store, lease).catch((error: unknown) => {
        this.options.logger.warn({ err: error }, 'could not release the owner lease');
      });
    }
    await closeStore().catch((error: unknown) => {
      this.options.logger.warn({ err: error }, 'could not close the store');
    });
  }

  /** Its cgroup area (cgroup containment), or null. */
  get cgroupArea(): string | null {
    return this.containment.mode === 'cgroup' ? this.containment.area : null;
  }

  /**
   * Ends the leaves of its area no run holds (a run not done holds its own, whatever its
   * generation), but those of `untouched` runs (records it leaves alone); the strays.
   */
  sweepStrayCgroups(untouched: ReadonlySet<string>): Promise<string[]> {
    const keep = new Set(untouched);
    for (const { run } of this.runs.values()) if (run.state !== 'done') keep.add(run.id);
    return sweepStrayCgroups(this.containment, keep, this.options.logger);
  }

  // The store health actor lives while the store is open; after that nothing is told.
  private tellHealth(event: StoreHealthEvent): void {
    const health = this.health;
    if (health === null) return;
    if ((health.getSnapshot() as { status: string }).status === 'active') health.send(event);
  }

  // Nothing more is written for the run: it lags behind nothing any more.
  private stopRecords(runId: string): void {
    const queue = this.queues.get(runId) ?? this.runs.get(runId)?.run.records;
    queue?.stop();
    this.queues.delete(runId);
    this.tellHealth({ type: 'RUN_GONE', runId, at: this.options.clock.now() });
  }

  // A final record beyond retention: deleted (and its run's files), tracked until closing.
  private deleteRecord(runId: string): void {
    const records = this.queues.get(runId);
    // Its own last write lands first, so the delete cannot be overtaken by it.
    const deletion = (records?.flush() ?? Promise.resolve())
      .then(() => {
        this.stopRecords(runId);
        return this.store.delete(this.store.runKey(runId));
      })
      .catch((error: unknown) => {
        this.options.logger.warn({ runId, err: error }, 'could not delete an expired record');
      })
      .then(() => {
        this.removeRunFiles(runId);
      })
      .finally(() => this.deletes.delete(deletion));
    this.deletes.add(deletion);
  }
}
