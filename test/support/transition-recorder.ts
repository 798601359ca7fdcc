// Records what real actors do, from XState inspection events: each transition a run actor
// takes, with the state and context it led to, and, at the end of each macrostep, the
// supervisor's public view of the run (`sup.get(id)`) when a view is set. Transitions of
// every other machine (the supervisor, its store health) are recorded in order too.
import type { InspectionEvent } from 'xstate';
import { describeTransition } from '../../src/machines/list-transitions.js';
import type { RunContext } from '../../src/machines/run-context.js';
import type { RunInfo, RunStateName } from '../../src/types.js';

/** One thing a run actor did, in order. */
export type Recorded =
  | {
      readonly kind: 'transition';
      readonly key: string;
      /** The state and context right after this transition. */
      readonly value: RunStateName;
      readonly context: RunContext;
    }
  /** The supervisor's view of the run once a macrostep settled. */
  | { readonly kind: 'view'; readonly info: RunInfo };

interface RunSnapshot {
  readonly value: RunStateName;
  readonly context: RunContext;
  readonly status: string;
  readonly machine?: { readonly id?: string };
}

export class TransitionRecorder {
  /** Every transition key a run actor took. */
  readonly keys = new Set<string>();
  /** Keys a model driver matched exactly, in place, against its model, by machine id. */
  private readonly verifiedKeys = new Map<string, Set<string>>();
  private readonly perRun = new Map<string, Recorded[]>();
  /** Every transition of each machine (by its id) in the order actors took them. */
  private readonly perMachine = new Map<string, string[]>();
  /** The transitions of each actor (by session), with its machine, in creation order. */
  private readonly perActor = new Map<string, { machine: string; keys: string[] }>();
  private recording = true;
  private view: ((runId: string) => RunInfo | undefined) | null = null;

  /** Pass as the supervisor's `inspect` option. */
  readonly inspect = (event: InspectionEvent): void => {
    if (!this.recording) return;
    const runId = (event.actorRef as { id?: string }).id ?? '';
    if (event.type === '@xstate.microstep') {
      const snapshot = event.snapshot as unknown as RunSnapshot;
      for (const transition of event._transitions) {
        const machine = transition.source.machine.id;
        const { key } = describeTransition(transition);
        const log = this.perMachine.get(machine) ?? [];
        log.push(key);
        this.perMachine.set(machine, log);
        const actor = this.perActor.get(event.actorRef.sessionId) ?? { machine, keys: [] };
        actor.keys.push(key);
        this.perActor.set(event.actorRef.sessionId, actor);
        if (machine !== 'run') continue;
        this.keys.add(key);
        this.push(runId, {
          kind: 'transition',
          key,
          value: snapshot.value,
          context: snapshot.context,
        });
      }
      return;
    }
    // The snapshot event comes after the actor committed the macrostep and told its
    // observers (the run's runtime): the public view is up to date here. A stopped actor
    // (a `leave` shutdown released it) has no view to compare.
    if (event.type !== '@xstate.snapshot') return;
    const snapshot = event.snapshot as unknown as RunSnapshot;
    if (snapshot.machine?.id !== 'run' || !['active', 'done'].includes(snapshot.status)) return;
    const info = this.view?.(runId);
    if (info !== undefined) this.push(runId, { kind: 'view', info });
  };

  /** Keys of run transitions matched in place against the model. */
  get verified(): Set<string> {
    return this.verifiedOf('run');
  }

  /** Keys of `machine`'s transitions matched in place against its model. */
  verifiedOf(machine: string): Set<string> {
    const found = this.verifiedKeys.get(machine) ?? new Set<string>();
    this.verifiedKeys.set(machine, found);
    return found;
  }

  /** What one run did so far, in order. */
  of(runId: string): readonly Recorded[] {
    return this.perRun.get(runId) ?? [];
  }

  /** Transition keys taken by one run so far. */
  keysOf(runId: string): string[] {
    return this.of(runId).flatMap((entry) => (entry.kind === 'transition' ? [entry.key] : []));
  }

  /** Every transition of `machine` taken so far, in order. */
  machineLog(machine: string): readonly string[] {
    return this.perMachine.get(machine) ?? [];
  }

  /** The transitions each actor of `machine` took, one list per actor, oldest actor first. */
  actorLogs(machine: string): string[][] {
    return [...this.perActor.values()].filter((a) => a.machine === machine).map((a) => a.keys);
  }

  /** Reads the public view of a run at the end of each macrostep (null: no view). */
  setView(view: ((runId: string) => RunInfo | undefined) | null): void {
    this.view = view;
  }

  pause(): void {
    this.recording = false;
  }

  resume(): void {
    this.recording = true;
  }

  private push(runId: string, entry: Recorded): void {
    const list = this.perRun.get(runId) ?? [];
    list.push(entry);
    this.perRun.set(runId, list);
  }
}
