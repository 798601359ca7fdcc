// The handle of a group: a nested supervisor of runs and groups. It holds no state; every
// answer is read from the group's actor.
import { checkGroupId } from '../options/group-options.js';
import type { RunSpec } from '../options/run-spec.js';
import type { CancelReason, GroupInfo, GroupOptions, RunExit, RunInfo } from '../types.js';
import type { RunHandle } from './run-handle.js';

/** What a group handle asks of its supervisor. */
export interface GroupOperations {
  spawn(path: string, spec: RunSpec): Promise<RunHandle>;
  add(path: string, options?: GroupOptions): Promise<Group>;
  cancel(path: string, reason: CancelReason): Promise<RunExit[]>;
  info(path: string): GroupInfo | undefined;
  run(id: string): RunInfo | undefined;
}

export class Group {
  constructor(
    private readonly operations: GroupOperations,
    /** Ids from the top group down, joined by `/`. */
    readonly path: string,
  ) {}

  /** Its id within its parent. */
  get id(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1);
  }

  /** Starts a run in this group (resolves as `supervisor.spawn` does). */
  spawn(spec: RunSpec): Promise<RunHandle> {
    return this.operations.spawn(this.path, spec);
  }

  /** Creates (or returns) a group nested in this one. */
  group(id: string, options?: GroupOptions): Promise<Group> {
    return this.operations.add(`${this.path}/${checkGroupId(id)}`, options);
  }

  /**
   * Ends the group's subtree, last started first, each tree verified dead before the next;
   * resolves with the exits of its runs (in the order they were stopped).
   */
  cancel(reason: CancelReason = 'cancelled'): Promise<RunExit[]> {
    return this.operations.cancel(this.path, reason);
  }

  /** The group now, or undefined once it has ended. */
  info(): GroupInfo | undefined {
    return this.operations.info(this.path);
  }

  /** Its own live runs (not those of nested groups), in start order. */
  runs(): RunInfo[] {
    return (this.info()?.runs ?? []).flatMap((id) => this.operations.run(id) ?? []);
  }
}
