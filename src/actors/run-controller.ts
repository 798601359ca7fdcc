// Binds one run machine actor to the real world: the process handle, output, the watchdog,
// the journal, and termination. The machine decides; the controller only carries out.
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import { SupervisorStoppedError, toErrorInfo } from '../errors.js';
import type { runMachine } from '../machines/run-machine.js';
import { releasedExit, type RunContext, type RunInput } from '../machines/run-context.js';
import { nextDeadline } from '../machines/run-deadlines.js';
import type { RunEvent } from '../machines/run-events.js';
import type { ProcessHandle, ProcessExit } from '../os/process-handle.js';
import { readIdentity } from '../os/process-identity.js';
import type { RunExit, RunInfo, RunStateName } from '../types.js';
import { createDeferred } from './deferred.js';
import type { OutputSlice } from './output-buffer.js';
import { RunOutput, type OutputListener } from './run-output.js';
import { runInfoFromContext } from './run-info.js';
import type { RunEnvironment } from './run-environment.js';
import { LivenessWatch } from './liveness-watch.js';
import { OutputEvents } from './output-events.js';
import { RecordQueue } from './record-queue.js';
import { Watchdog } from './watchdog.js';
import { endRunTree } from './end-run-tree.js';
import { RunProcess } from './run-process.js';
import { readOutputLog } from '../host/output-log.js';
import { runDirFor } from '../host/run-host-paths.js';

export type { OutputListener } from './run-output.js';

type RunSnapshot = SnapshotFrom<typeof runMachine>;

// After a verified-dead tree, the backend's own exit report normally follows within
// node-pty's 200 ms socket-close timeout; past this bound the exit is recorded as unknown.
const EXIT_REPORT_WAIT_MS = 2000;

export class RunController {
  readonly id: string;
  readonly actor: Actor<typeof runMachine>;
  private readonly output: RunOutput;
  private readonly process = new RunProcess();
  private readonly exitDeferred = createDeferred<RunExit>();
  private readonly settledDeferred = createDeferred<undefined>();
  private readonly watchdog: Watchdog;
  private readonly records: RecordQueue;
  private readonly liveness = new LivenessWatch();
  private readonly outputEvents: OutputEvents;
  private lastState: RunStateName | null = null;
  private lastContext: RunContext | null = null;
  private lastEventType: RunEvent['type'] | null = null;
  private readonly abort = new AbortController();
  private released = false;
  /** The run never got a durable record (its write-ahead failed): nothing more is written. */
  private discarded = false;

  /** Resolves with the RunExit when the run is done. Never rejects. */
  readonly exited: Promise<RunExit> = this.exitDeferred.promise;

  constructor(
    private readonly env: RunEnvironment,
    machine: typeof runMachine,
    /** A new run's input, or a validated persisted snapshot to restore (no entry action runs). */
    start: { input: RunInput; snapshot?: unknown },
  ) {
    this.id = start.input.runId;
    this.actor = createActor(machine, {
      id: this.id,
      input: start.input,
      ...(start.snapshot === undefined ? {} : { snapshot: start.snapshot as RunSnapshot }),
      ...(env.inspect === undefined ? {} : { inspect: env.inspect }),
    });
    this.records = new RecordQueue(
      this.id,
      env.journal,
      {
        capture: () => {
          const snapshot = this.actor.getSnapshot();
          return {
            snapshot: this.actor.getPersistedSnapshot(),
            state: snapshot.value,
            final: snapshot.status === 'done',
          };
        },
        writable: () => !this.released && this.actor.getSnapshot().status === 'active',
        retryable: () => !this.released && !this.discarded,
      },
      env.logger,
      {
        failed: (error) => {
          env.onRecordFailure(this, error);
        },
        recovered: () => {
          env.onRecordRecovered(this);
        },
      },
    );
    const context = this.actor.getSnapshot().context;
    // A restored run continues its offsets; bytes before them are gone with the old supervisor.
    const runDir = runDirFor(env.hostLink.paths, this.id);
    this.output = new RunOutput(
      context.descriptor.maxOutputBytes,
      context.outputBytes,
      (error) => {
        env.logger.error({ runId: this.id, err: error }, 'output listener threw');
      },
      context.descriptor.durable
        ? (since, maxBytes) => readOutputLog(runDir, since, maxBytes)
        : undefined,
    );
    this.outputEvents = new OutputEvents(env.clock, (bytes, at) => {
      this.send({ type: 'OUTPUT', bytes, at });
    });
    this.watchdog = new Watchdog(env.clock, (now) => {
      this.send({ type: 'TICK', now });
      this.rearm();
    });
    this.actor.subscribe({
      next: (snapshot) => {
        this.onSnapshot(snapshot);
      },
      error: (error) => {
        env.logger.error({ runId: this.id, err: error }, 'run machine failed');
      },
    });
  }

  /** Starts the machine (for a new run this enters `replacing` and runs its entry). */
  start(): void {
    this.actor.start();
  }

  get context(): RunContext {
    return this.actor.getSnapshot().context;
  }

  get state(): RunStateName {
    return this.actor.getSnapshot().value;
  }

  /** Resolves once the run left `replacing`/`spawning` and its record is durable. */
  async settled(): Promise<void> {
    await this.settledDeferred.promise;
    await this.records.flush();
    if (this.released)
      throw new SupervisorStoppedError('the supervisor left this run before its process started');
  }

  /** Resolves once every journal write queued so far has finished. */
  flushJournal(): Promise<void> {
    return this.records.flush();
  }

  send(event: RunEvent): void {
    if (this.actor.getSnapshot().status !== 'active' || this.released) return;
    // Output not reported yet goes first: the machine decides with every byte counted.
    if (event.type !== 'OUTPUT') this.outputEvents.flush();
    this.lastEventType = event.type;
    this.actor.send(event);
  }

  onOutput(listener: OutputListener): () => void {
    return this.output.subscribe(listener);
  }

  readOutput(since?: number): OutputSlice {
    return this.output.read(since);
  }

  write(data: string | Uint8Array): void {
    this.liveProcess('write to').write(data);
  }

  resize(cols: number, rows: number): void {
    this.liveProcess('resize').resize(cols, rows);
  }

  info(): RunInfo {
    // The buffer's end counts chunks whose OUTPUT event is still being summed.
    return { ...runInfoFromContext(this.state, this.context), outputBytes: this.output.end };
  }

  /** Effect of `replacing`: finalize live predecessors in the scope, then go on. */
  replacePredecessors(): void {
    void this.runEffect('replace predecessors', 'spawn', async () => {
      await Promise.resolve();
      await this.env.replacePredecessors(this);
      if (this.state === 'replacing') this.send({ type: 'PREDECESSORS_DONE' });
    });
  }

  /** Effect of `spawning`: write-ahead record, then launch, then report. */
  spawnProcess(): void {
    void this.runEffect('spawn', 'spawn', async () => {
      // The `spawning` record (marker included) is durable BEFORE the process exists.
      // This runs inside the transition, before the snapshot listener queued that record:
      // let it queue first, then wait for it.
      await Promise.resolve();
      if (this.records.lastQueuedState !== 'spawning') this.records.writeNow();
      await this.flushJournal();
      if (this.state !== 'spawning' || this.released) return;
      const at = () => this.env.clock.now();
      if (this.records.lastError !== null) {
        // Never a process without a durable record.
        const cause = toErrorInfo(this.records.lastError).message;
        this.send({
          type: 'SPAWN_FAILED',
          error: {
            code: 'E_STORE_WRITE',
            message: `the write-ahead record could not be stored: ${cause}`,
          },
          at: at(),
        });
        return;
      }
      let handle: ProcessHandle;
      try {
        handle = await this.env.launch(this.id, this.context.descriptor);
      } catch (error) {
        const info = toErrorInfo(error);
        this.env.logger.warn({ runId: this.id, code: info.code }, `spawn failed: ${info.message}`);
        this.send({ type: 'SPAWN_FAILED', error: info, at: at() });
        return;
      }
      const identity = readIdentity(handle.pid) ?? null;
      this.attachProcess(handle);
      this.send({
        type: 'SPAWNED',
        pid: handle.pid,
        identity,
        host: handle.host ?? null,
        at: at(),
      });
    });
  }

  /** Effect of `finalizing`: end the whole tree, verify it dead, record the exit. */
  terminateTree(): void {
    void this.runEffect('terminate', 'terminate', async () => {
      await Promise.resolve();
      const { report, facts } = await endRunTree(this.id, this.context, this.abort.signal);
      if (this.released) return;
      this.env.reportSweep(this, report);
      if (this.context.processExit === null) await this.awaitProcessExit();
      this.send({ type: 'TREE_DEAD', ...facts, at: this.env.clock.now() });
    });
  }

  /** Effect of `done`: drop the handle; nothing is signalled. */
  releaseProcess(): void {
    this.outputEvents.stop();
    this.watchdog.disarm();
    this.liveness.stop();
    this.records.cancelDeferred();
    this.process.dispose();
  }

  /**
   * Follows a durable run again through its host (a restored orphan). Called right after
   * the boot decision was sent, so output lands in `running`/`finalizing`, never `orphaned`.
   */
  attachProcess(handle: ProcessHandle): void {
    this.process.attach(
      handle,
      (chunk) => {
        this.onData(chunk);
      },
      (exit) => {
        this.onProcessExit(exit);
      },
      (bytes) => {
        // Bytes lost before delivery still move the offsets, as output does.
        this.output.skip(bytes);
        this.outputEvents.add(bytes, this.env.clock.now());
      },
    );
  }

  /** For a reattached orphan (no handle): its end is noticed through its identity. */
  watchLiveness(): void {
    const identity = this.context.identity;
    if (identity === null) return;
    // The exit code of a process we did not spawn cannot be known.
    this.liveness.start(identity, () => {
      this.send({ type: 'EXITED', exitCode: null, signal: null, at: this.env.clock.now() });
    });
  }

  /** Writes the current record again (the store came back, perhaps empty). */
  rewriteRecord(): void {
    if (!this.released && !this.discarded) this.records.writeNow();
  }

  /**
   * Forgets a run whose write-ahead record never landed (it ended in `spawning`, before any
   * process): later retries must not create a record for it.
   */
  discard(): void {
    this.discarded = true;
    this.records.drop();
  }

  /** Stops supervising without any signal (shutdown with `leave`). */
  release(): void {
    this.released = true;
    this.outputEvents.stop();
    this.records.stopRetrying();
    // An in-flight termination stops here: `leave` means no further signal from us.
    this.abort.abort();
    this.watchdog.disarm();
    this.liveness.stop();
    this.records.cancelDeferred();
    this.actor.stop();
    this.process.detach();
    // Nothing waits forever on a run this supervisor no longer holds.
    this.settledDeferred.resolve(undefined);
    this.exitDeferred.resolve(releasedExit(this.context, this.env.clock.now()));
  }

  private onData(chunk: Buffer): void {
    this.output.append(chunk);
    this.outputEvents.add(chunk.length, this.env.clock.now());
  }

  private onProcessExit(exit: ProcessExit): void {
    this.send({
      type: 'EXITED',
      exitCode: exit.exitCode,
      signal: exit.signal,
      ...(exit.reason === undefined ? {} : { reason: exit.reason }),
      at: this.env.clock.now(),
    });
  }

  private async awaitProcessExit(): Promise<void> {
    await this.process.waitForExitReport(EXIT_REPORT_WAIT_MS);
    // No handle (an orphan) or no report: the tree is verified dead, the code is unknowable.
    if (this.context.processExit === null) {
      this.send({ type: 'EXITED', exitCode: null, signal: null, at: this.env.clock.now() });
    }
  }

  private onSnapshot(snapshot: RunSnapshot): void {
    const state = snapshot.value;
    const changed = state !== this.lastState;
    // The record is queued first: whatever a state-change listener does next (even a
    // shutdown that releases this run) happens after the transition is on its way to disk.
    // Output only moves offsets and deadlines: it is written at most once a second (and
    // once more a second after the last chunk), not once per chunk. Everything else that
    // changes the context is written at once.
    const contextChanged = snapshot.context !== this.lastContext;
    this.lastContext = snapshot.context;
    if (changed || (contextChanged && this.lastEventType !== 'OUTPUT')) this.records.writeNow();
    else if (contextChanged) this.records.writeSoon();
    if (changed) {
      const from = this.lastState;
      this.lastState = state;
      this.env.onStateChange(this, from, state);
      if (state !== 'replacing' && state !== 'spawning') this.settledDeferred.resolve(undefined);
    }
    if (snapshot.status === 'done') {
      this.watchdog.disarm();
      const exit = snapshot.context.exit;
      if (exit !== null && !this.exitDeferred.settled()) {
        void this.records.flush().then(() => {
          this.exitDeferred.resolve(exit);
          this.env.onDone(this, exit);
        });
      }
      return;
    }
    this.rearm();
  }

  private rearm(): void {
    const state = this.state;
    if (state !== 'running' && state !== 'idle') {
      this.watchdog.disarm();
      return;
    }
    this.watchdog.arm(nextDeadline(this.context.deadlines, state === 'idle'));
  }

  private liveProcess(verb: string): ProcessHandle {
    const state = this.state;
    return this.process.require(
      state === 'running' || state === 'idle',
      `cannot ${verb} run ${this.id}: it is ${state}`,
    );
  }

  // An effect that throws must not leave a run stuck in a transient state: the failure is
  // logged and recorded in the run's exit (as a spawn error, or as a termination error).
  private async runEffect(
    name: string,
    phase: 'spawn' | 'terminate',
    effect: () => Promise<void>,
  ): Promise<void> {
    try {
      await effect();
    } catch (error) {
      const info = toErrorInfo(error);
      const at = this.env.clock.now();
      this.env.logger.error({ runId: this.id, err: error }, `run effect "${name}" failed`);
      if (phase === 'spawn') {
        this.send({ type: 'SPAWN_FAILED', error: info, at });
        return;
      }
      if (this.context.processExit === null) {
        this.send({ type: 'EXITED', exitCode: null, signal: null, at });
      }
      this.send({
        type: 'TREE_DEAD',
        forced: false,
        survivors: [],
        error: { ...info, code: 'E_TERMINATE' },
        at,
      });
    }
  }
}
