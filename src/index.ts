// Public API of runwarden.
export { createSupervisor } from './create-supervisor.js';
export { reconcileStore } from './reconcile-store.js';
export { Supervisor } from './runtime/supervisor.js';
export type { SupervisorState } from './runtime/supervisor.js';
export type {
  GroupTreeNode,
  RunTreeNode,
  SupervisorTree,
  TreeNode,
} from './runtime/supervisor-tree.js';
export { Group } from './runtime/group-handle.js';
export type { ReconcileOwnersOptions, OwnerReconcileResult } from './reconcile/reconcile-owners.js';
export type { NewerRecord, ReconcileReport, UncertainRun } from './reconcile/reconcile-report.js';
export { RunHandle } from './runtime/run-handle.js';
export type { OutputListener } from './runtime/run-runtime.js';
export type { OutputSlice } from './runtime/output-buffer.js';
export type { Logger, LogFn } from './support/logger.js';
export type { Clock } from './support/clock.js';
export type { SupervisorEvent, SupervisorEventListener } from './runtime/supervisor-events.js';
export type { StoreHealthInfo } from './runtime/store-health-info.js';
export { generateChart } from './charts/generate-chart.js';
export type { ChartFormat, ChartedMachine } from './charts/generate-chart.js';
export { runMachine } from './machines/run-machine.js';
export type { RunContext, RunInput } from './machines/run-context.js';
export type { RunEvent } from './machines/run-events.js';
export { supervisorMachine } from './machines/supervisor-machine.js';
export { groupMachine } from './machines/group-machine.js';
export type { GroupContext, GroupInput } from './machines/group-context.js';
export type { GroupEvent } from './machines/group-events.js';
export { storeHealthMachine } from './machines/store-health-machine.js';
export type { StoreHealthContext, StoreHealthEvent } from './machines/store-health-machine.js';
export type { RunOutput } from './machines/run-machine.js';
export type { OrphanDecision, OrphanFacts } from './machines/decide-orphan.js';
export type {
  SupervisorContext,
  SupervisorEvent as SupervisorMachineEvent,
  ShutdownRuns,
} from './machines/supervisor-machine.js';
export { RUN_MARKER } from './os/run-marker.js';
export type { RunSpec } from './options/run-spec.js';
export type { SupervisorOptions } from './options/supervisor-options.js';
export type { ProcessIdentity } from './os/process-identity.js';
export { listRunProcesses } from './os/list-run-processes.js';
export type { RunProcess } from './os/list-run-processes.js';
export type { SignalFailure } from './os/terminate-run-tree.js';
export {
  CgroupError,
  InvalidOptionError,
  LimitExceededError,
  RunStateError,
  RunwardenError,
  SpawnError,
  StoreError,
  SupervisorBusyError,
  SupervisorStoppedError,
  UnknownGroupError,
  UnknownRunError,
  UnsupportedPlatformError,
} from './errors.js';
export type * from './types.js';
