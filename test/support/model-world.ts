// The world a model path runs in: a home of its own, a supervisor name of its own (a
// caller's Keyv is locked host-wide by name), a manual clock that moves only where the
// model's clock moves, and the ways the driver acts on processes from outside (by
// verified identity only).
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { findMarkedProcesses } from '../../src/os/find-marked-processes.js';
import { checkIdentity, type ProcessIdentity } from '../../src/os/process-identity.js';
import { signalVerified } from '../../src/os/signal-verified.js';
import { ManualClock } from './manual-clock.js';
import { withRecords } from './record-editor.js';
import { createTempHome } from './temp-home.js';
import { waitUntil } from './wait-for.js';

const WAIT_MS = 15_000;

export class ModelWorld {
  readonly home: ReturnType<typeof createTempHome>;
  readonly name = `model-${randomUUID().slice(0, 8)}`;
  readonly clock = new ManualClock();
  /** The manual clock's value at the model's time 0. */
  private base = this.clock.now();
  private ids = 0;

  constructor(prefix: string) {
    this.home = createTempHome(prefix);
  }

  nextId(): number {
    return ++this.ids;
  }

  /** From now on the model's time `at` is the manual clock's `real` (never moves the clock). */
  alignTo(at: number, real: number): void {
    this.base = real - at;
  }

  /** Moves the clock to the model's time `at`, firing every timer due by then. */
  advanceTo(at: number): void {
    this.clock.advanceTo(this.base + at);
  }

  /** Waits until a fixture said it is ready (its SIGTERM handler is set). */
  async ready(file: string): Promise<void> {
    await waitUntil(() => existsSync(file), WAIT_MS, 'the fixture to be ready');
  }

  /** Ends a process from outside, by verified identity, and waits until it is gone. */
  async killVerified(identity: ProcessIdentity | null): Promise<void> {
    if (identity === null || checkIdentity(identity) !== 'alive') return;
    signalVerified(identity, 'SIGKILL');
    await waitUntil(() => checkIdentity(identity) !== 'alive', WAIT_MS, 'the process to die');
  }

  /** Ends every process carrying the run's marker, by verified identity. */
  async endMarked(runId: string | null): Promise<void> {
    if (runId === null || runId === '') return;
    const marked = findMarkedProcesses(RUN_MARKER).found.filter((p) => p.value === runId);
    for (const { identity } of marked) await this.killVerified(identity);
  }

  /** Rewrites the stored record of `runId` as if its identity had been read on `hostname`. */
  async editIdentity(runId: string, hostname: string): Promise<void> {
    await withRecords(
      this.home.path,
      async (store) => {
        const key = store.runKey(runId);
        const record = structuredClone(await store.get(key)) as {
          snapshot: { context: { identity: { hostname: string } | null } };
        };
        const identity = record.snapshot.context.identity;
        if (identity === null) throw new Error(`run ${runId} has no identity to edit`);
        identity.hostname = hostname;
        await store.set(key, record, 'edit a record');
      },
      this.name,
    );
  }
}
