// Records the transitions real run actors take, from XState inspection events.
import type { InspectionEvent } from 'xstate';
import { describeTransition } from '../../src/machines/list-transitions.js';

export class TransitionRecorder {
  readonly keys = new Set<string>();
  private readonly perRun = new Map<string, string[]>();
  private recording = true;

  /** Pass as the supervisor's `inspect` option. */
  readonly inspect = (event: InspectionEvent): void => {
    if (!this.recording || event.type !== '@xstate.microstep') return;
    const runId = (event.actorRef as { id?: string }).id ?? '';
    for (const transition of event._transitions) {
      if (transition.source.machine.id !== 'run') continue;
      const { key } = describeTransition(transition);
      this.keys.add(key);
      const list = this.perRun.get(runId) ?? [];
      list.push(key);
      this.perRun.set(runId, list);
    }
  };

  /** Transitions taken by one run so far. */
  of(runId: string): readonly string[] {
    return this.perRun.get(runId) ?? [];
  }

  pause(): void {
    this.recording = false;
  }

  resume(): void {
    this.recording = true;
  }
}
