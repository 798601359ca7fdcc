// What one run holds that cannot be machine data: its process handle, its output, its
// record queue. It follows its run actor's snapshots from the actor's creation, writes a
// record for each, and executes what the machine decided; it decides nothing itself.
import { waitFor, type SnapshotFrom } from 'xstate';
import { RunStateError } from '../errors.js';
import { buildRunExit, messageOf, type RunContext } from '../machines/run-context.js';
import type { RunEvent } from '../machines/run-events.js';
import type { runMachine } from '../machines/run-machine.js';
import type { RunActorRef } from '../machines/supervisor-machine.js';
import type { ProcessExit, ProcessHandle } from '../os/process-handle.js';
import type { RunExit, RunInfo, RunStateName } from '../types.js';
import { createDeferred } from './deferred.js';
import { LivenessWatch } from '../effects/liveness-watch.js';
import { OutputEvents } from './output-events.js';
import type { OutputSlice } from './output-buffer.js';
import { openRunOutput, type RunOutput, type OutputListener } from './run-output.js';
import { RunProcess } from './run-process.js';
import { runInfoFromContext } from './run-info.js';
import { RecordQueue, type RecordCapture } from './record-queue.js';
import {
  BEFORE_PROCESS,
  captureRecord,
  failedExit,
  isTerminalRunState,
  queueRecord,
  stateName,
} from './run-snapshots.js';
import type { RuntimeEnvironment } from './runtime-environment.js';

export type { OutputListener } from './run-output.js';

type RunSnapshot = SnapshotFrom<typeof runMachine>;

export class RunRuntime {
  readonly id: string;
  readonly records: RecordQueue;
  private readonly output: RunOutput;
  private readonly process = new RunProcess();
  private readonly liveness = new LivenessWatch();
  private readonly outputEvents: OutputEvents;
  private readonly exitDeferred = createDeferred<RunExit>();
  private readonly startedDeferred = createDeferred<undefined>();
  private ref: RunActorRef | null = null;
  private lastState: string | null = null;
  private lastContext: RunContext | null = null;
  /** A durable orphan's stream through its run host, followed once the machine adopts it. */
  private hosted: ProcessHandle | null = null;

  /** Resolves with the RunExit once the final record is written. Never rejects. */
  readonly exited: Promise<RunExit> = this.exitDeferred.promise;

  constructor(
    private readonly env: RuntimeEnvironment,
    /** The context the run starts from: its offsets continue a restored run's. */
    context: Pick<RunContext, 'runId' | 'descriptor' | 'outputBytes'>,
  ) {
    this.id = context.runId;
    this.records = new RecordQueue(this.id, env.journal, () => this.capture(), env.logger, {
      failed: (error) => {
        env.onRecordFailure(this.id, error);
      },
      recovered: () => {
        env.onRecordRecovered(this.id);
      },
      refused: (error) => {
        env.onRecordRefused(this.id, error);
      },
    });
    this.output = openRunOutput(env, context);
    this.outputEvents = new OutputEvents(env.clock, (bytes, at) => {
      this.deliver({ type: 'OUTPUT', bytes, at });
    });
  }

  /** Whether the run became an actor (its runtime follows it). */
  get bound(): boolean {
    return this.ref !== null;
  }

  /** Follows the run actor from its creation (before it starts), so no snapshot is missed. */
  bind(ref: RunActorRef): void {
    this.ref = ref;
    ref.subscribe({
      next: (snapshot) => {
        this.onSnapshot(snapshot);
      },
      error: (error) => {
        this.env.logger.error({ runId: this.id, err: error }, 'run machine failed');
        // Nothing waits forever on a run whose machine failed: its end is unknown.
        const at = this.env.clock.now();
        this.startedDeferred.resolve(undefined);
        this.exitDeferred.resolve(
          failedExit(this.context, { code: 'E_MACHINE', message: messageOf(error) }, at),
        );
      },
    });
  }

  get context(): RunContext {
    return this.current().context;
  }

  get state(): RunStateName {
    return stateName(this.current().value);
  }

  /** Resolves once the run is not `finalizing` (its tree verified dead; ended, or in `backoff`). */
  settled(): Promise<RunSnapshot> {
    const ref = this.ref;
    if (ref === null) return Promise.resolve(this.current());
    // A machine that failed meanwhile settles too (its last snapshot; its exit says so).
    return waitFor(ref, (s) => s.value !== 'finalizing').catch(() => ref.getSnapshot());
  }

  /** Stores the write-ahead record; resolves once durable, rejects if it cannot be. */
  writeAhead(): Promise<void> {
    return this.records.writeAhead();
  }

  /** Resolves once the run has a process (or ended before it got one), durably recorded. */
  started(): Promise<void> {
    return this.startedDeferred.promise;
  }

  /** Takes the snapshot in now: the parent can act on RUN_ENDED before `next` brings it. */
  catchUp(): void {
    if (this.ref !== null) this.onSnapshot(this.ref.getSnapshot());
  }

  /** Sends an event to the run's machine; output not reported yet goes first. */
  send(event: RunEvent): void {
    if (event.type !== 'OUTPUT') this.outputEvents.flush();
    this.deliver(event);
  }

  /** Reports counted output now (before a decision made elsewhere reaches the machine). */
  flushOutput(): void {
    this.outputEvents.flush();
  }

  /** Takes the handle of a process (spawned, or a durable run followed again). */
  attachProcess(handle: ProcessHandle): void {
    this.process.attach(
      handle,
      (chunk) => {
        this.output.append(chunk);
        this.outputEvents.add(chunk.length, this.env.clock.now());
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

  /** Boot found this durable run in its host: followed once the machine adopts it. */
  holdHosted(handle: ProcessHandle | null): void {
    this.hosted = handle;
  }

  /** The machine adopted the orphan: follow its host's stream, or watch its identity. */
  followAdopted(): void {
    if (this.hosted !== null) {
      this.attachProcess(this.hosted);
      this.hosted = null;
      return;
    }
    const identity = this.context.identity;
    if (identity === null || this.context.endReason !== null) return;
    // The exit code of a process we did not spawn cannot be known.
    this.liveness.start(identity, () => {
      this.send({ type: 'EXITED', exitCode: null, signal: null, at: this.env.clock.now() });
    });
  }

  /** Waits up to `ms` for the held process's exit report. */
  waitForExitReport(ms: number): Promise<void> {
    return this.process.waitForExitReport(ms);
  }

  /** The run is done: drop the handle and descriptors; nothing is signalled. */
  releaseProcess(): void {
    this.stopFollowing();
    this.process.dispose();
  }

  /** The run was released alive: stop holding it open; nothing is signalled. */
  detachProcess(): void {
    this.stopFollowing();
    this.process.detach();
    this.hosted?.detach();
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

  private capture(): RecordCapture {
    return captureRecord(this.current(), this.ref);
  }

  private deliver(event: RunEvent): void {
    const ref = this.ref;
    if (ref === null || ref.getSnapshot().status !== 'active') return;
    ref.send(event);
  }

  private current(): RunSnapshot {
    // A stopped actor (its run ended) still answers with its last snapshot.
    const snapshot = this.ref?.getSnapshot();
    if (snapshot === undefined)
      throw new RunStateError('E_RUN_NOT_LIVE', `run ${this.id} has no actor`);
    return snapshot;
  }

  private onSnapshot(snapshot: RunSnapshot): void {
    const state: string = snapshot.value;
    // Terminal states take no event: a snapshot after the first (an event ignored) is the same.
    if (isTerminalRunState(this.lastState) || snapshot.status !== 'active') return;
    if (state === 'refused') {
      this.lastState = state;
      // No durable record, so no run: nothing is written for it, ever.
      this.records.stop();
      this.startedDeferred.resolve(undefined);
      this.exitDeferred.resolve(snapshot.context.exit ?? buildRunExit(snapshot.context));
      return;
    }
    const changed = state !== this.lastState;
    const previous = this.lastContext;
    this.lastContext = snapshot.context;
    queueRecord(this.records, previous, snapshot.context, changed);
    if (changed) {
      const from = this.lastState;
      this.lastState = state;
      if (state !== 'created')
        this.env.onStateChange(this, from === null ? null : stateName(from), stateName(state));
      if (!BEFORE_PROCESS.has(state)) {
        void this.records.whenDurable().then(() => {
          this.startedDeferred.resolve(undefined);
        });
      }
    }
    if (isTerminalRunState(state)) {
      this.records.cancelTimers();
      void this.records.whenDurable().then(() => {
        this.env.onRecordsSettled(this.id);
      });
      const exit = snapshot.context.exit ?? buildRunExit(snapshot.context);
      void this.records.flush().then(() => {
        this.exitDeferred.resolve(exit);
      });
    }
  }

  private onProcessExit({ exitCode, signal, reason }: ProcessExit): void {
    const at = this.env.clock.now();
    this.send({
      type: 'EXITED',
      exitCode,
      signal,
      ...(reason === undefined ? {} : { reason }),
      at,
    });
  }

  private stopFollowing(): void {
    this.outputEvents.stop();
    this.liveness.stop();
  }

  private liveProcess(verb: string): ProcessHandle {
    const state = this.state;
    return this.process.require(
      state === 'running' || state === 'idle',
      `cannot ${verb} run ${this.id}: it is ${state}`,
    );
  }
}
