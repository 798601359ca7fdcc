// What a supervisor's own effects do (boot, close, store probe, record rewrites, group
// records), and what they leave behind for it: the boot report and the owner lease.
import { waitFor, type Actor } from 'xstate';
import { RunStateError, SupervisorStoppedError } from '../errors.js';
import { supervisorStateOf } from './supervisor-tree.js';
import type { RunContext } from '../machines/run-context.js';
import type { supervisorMachine } from '../machines/supervisor-machine.js';
import type { ResolvedSupervisorOptions } from '../options/supervisor-options.js';
import type { OwnerLease } from '../persistence/owner-lease.js';
import type { RecordStore } from '../persistence/record-store.js';
import type { RunHostLink } from '../host/client/run-host-link.js';
import type { ReconcileReport } from '../reconcile/reconcile-report.js';
import { bootSupervisor } from './boot-supervisor.js';
import type { SupervisorEffects } from './provide-machines.js';
import type { RunHistory } from './run-history.js';
import type { SupervisorRuntime } from './supervisor-runtime.js';

/** What the effects act on. */
export interface LifecycleDeps {
  readonly options: ResolvedSupervisorOptions;
  readonly store: RecordStore;
  readonly closeStore: () => Promise<void>;
  readonly hostLink: RunHostLink;
  readonly history: RunHistory;
  readonly runtime: SupervisorRuntime;
  readonly actor: () => Actor<typeof supervisorMachine>;
  /** The live runs of the tree now (the store is back: each writes its record again). */
  readonly liveRunIds: () => string[];
}

export class SupervisorLifecycle {
  /** The report of the boot reconciliation (null before boot finished). */
  report: ReconcileReport | null = null;
  private lease: OwnerLease | null = null;
  /** Settles when the boot effect's work has ended (called off or not). */
  private booting: Promise<void> = Promise.resolve();

  constructor(private readonly deps: LifecycleDeps) {}

  /**
   * Boots the supervisor actor once and waits until it serves. A supervisor that booted (or
   * is booting) refuses and nothing changes; a failed boot throws its error once the system
   * stopped; one called off by a shutdown throws SupervisorStoppedError. Resolves with the
   * boot's report.
   */
  async boot(name: string): Promise<ReconcileReport> {
    const actor = this.deps.actor();
    if (!actor.getSnapshot().can({ type: 'BOOT' })) {
      const state = supervisorStateOf(actor.getSnapshot());
      throw new RunStateError(
        'E_ALREADY_BOOTED',
        `supervisor ${name} was booted already (it is ${state}); boot() runs once`,
      );
    }
    const failed: { error?: unknown } = {};
    const off = actor.on('bootFailed', (event) => {
      failed.error = event.error;
    });
    actor.send({ type: 'BOOT' });
    const snapshot = await waitFor(actor, (s) => !s.matches({ open: 'booting' }), {
      timeout: Infinity,
    });
    off.unsubscribe();
    if ('error' in failed) {
      await waitFor(actor, (s) => s.status === 'done', { timeout: Infinity });
      throw failed.error instanceof Error ? failed.error : new Error(String(failed.error));
    }
    if (this.report === null || !snapshot.matches({ open: 'active' }))
      throw new SupervisorStoppedError('the supervisor was shut down while it booted');
    return this.report;
  }

  effects(): SupervisorEffects {
    const { options, store, hostLink, history, runtime } = this.deps;
    return {
      boot: async (signal) => {
        const booting = bootSupervisor(
          {
            options,
            store,
            hostLink,
            history,
            actor: this.deps.actor,
            createRuntime: (context: RunContext) => runtime.createRun(context),
            runtime: (runId) => runtime.env.runtime(runId),
            removeRunFiles: (runId) => {
              runtime.removeRunFiles(runId);
            },
            cgroupArea: runtime.cgroupArea,
            leaseTaken: (lease) => {
              this.lease = lease;
            },
            sweepCgroups: (untouched) => runtime.sweepStrayCgroups(untouched),
          },
          signal,
        );
        this.booting = booting.then(
          () => undefined,
          () => undefined,
        );
        this.report = await booting;
      },
      // A boot called off is waited for: the lease it took, and what it writes, come first.
      close: async () => {
        await this.booting;
        await runtime.close(this.lease, this.deps.closeStore);
      },
      probeStore: () => store.get(store.healthKey()),
      rewriteRecords: () => {
        runtime.rewriteRecords(this.deps.liveRunIds());
      },
      writeGroup: (path) => runtime.groups.write(path),
    };
  }
}
