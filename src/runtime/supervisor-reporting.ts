// Turns what happens to runs into typed events and log lines, in one place.
import { toErrorInfo } from '../errors.js';
import type { TerminationReport } from '../os/terminate-run-tree.js';
import type { GroupInfo, GroupStateName, RunExit, RunStateName } from '../types.js';
import type { Logger } from '../support/logger.js';
import type { RunRuntime } from '../runtime/run-runtime.js';
import type { EventFanout } from './supervisor-events.js';
import type { StoreHealthInfo } from '../runtime/store-health-info.js';

export class SupervisorReporting {
  constructor(
    private readonly fanout: EventFanout,
    private readonly logger: Logger,
  ) {}

  sweep(runId: string, report: TerminationReport): void {
    const event = {
      type: 'run.sweep' as const,
      runId,
      pids: report.members.map((member) => member.identity.pid),
      forced: report.forced,
      survivors: report.survivors.map((member) => member.identity.pid),
      failures: [...report.failures],
      unreadable: report.unreadable.length,
    };
    this.fanout.emit(event);
    const level = event.survivors.length > 0 || event.failures.length > 0 ? 'warn' : 'debug';
    this.logger[level]({ ...event, type: undefined }, 'run tree terminated');
  }

  stateChange(run: RunRuntime, from: RunStateName | null, to: RunStateName): void {
    this.fanout.emit({ type: 'run.state', runId: run.id, from, to });
    this.logger.debug({ runId: run.id, from, to }, 'run state changed');
    if (from !== 'spawning' || to !== 'running') return;
    const context = run.context;
    const spawned = {
      runId: run.id,
      pid: context.pid ?? -1,
      mode: context.descriptor.mode,
      command: context.descriptor.command,
    };
    this.fanout.emit({ type: 'run.spawned', ...spawned });
    this.logger.info(spawned, 'run spawned');
  }

  replaced(runId: string, replacedBy: string, scopeKey: string): void {
    this.fanout.emit({ type: 'run.replaced', runId, replacedBy, scopeKey });
    this.logger.info({ runId, replacedBy, scopeKey }, 'run replaced');
  }

  recordFailed(runId: string, error: unknown): void {
    this.fanout.emit({
      type: 'run.record-failed',
      runId,
      error: toErrorInfo(error, 'E_STORE_WRITE'),
    });
  }

  groupState(from: GroupStateName | null, group: GroupInfo): void {
    const { path, state: to } = group;
    this.fanout.emit({ type: 'group.state', path, from, to, group });
    this.logger.debug({ group: path, from, to }, 'group state changed');
  }

  storeHealth(health: StoreHealthInfo): void {
    this.fanout.emit({ type: 'store.health', health });
    if (health.state === 'degraded')
      this.logger.error({ ...health }, 'store degraded: records are falling behind');
    else this.logger.info({ ...health }, 'store caught up: every record is written');
  }

  finalized(runId: string, exit: RunExit): void {
    this.fanout.emit({ type: 'run.finalized', runId, exit });
    this.logger.info({ runId, ...exit }, `run finalized: ${exit.reason}`);
  }
}
