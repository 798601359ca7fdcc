// The groups of the model's `group` variant (model-group-world.ts), made real through the
// public API: the top group and the subject's own group, the sibling (the model's fixture:
// it fails when told to on its stdin), and, where a path needs it, a predecessor in the top
// group. A group's stop, start and give-up reach the subject only through these.
import type { Group, Supervisor } from '../../src/index.js';
import { sibling, stubbornPredecessor, type Fixture } from './model-fixtures.js';
import { INNER_GROUP, siblingState, TOP_GROUP, type GroupWorld } from './model-group-world.js';
import type { ModelWorld } from './model-world.js';
import type { TransitionRecorder } from './transition-recorder.js';
import { waitUntil } from './wait-for.js';

const WAIT_MS = 15_000;

export class ModelGroups {
  private siblingId = '';
  private predecessorId: string | null = null;

  constructor(
    private readonly world: ModelWorld,
    private readonly sup: () => Supervisor,
    private readonly recorder: TransitionRecorder,
  ) {}

  /** Runs of the groups other than the subject (the driver ends what is left of them). */
  get others(): string[] {
    return [this.siblingId, ...(this.predecessorId === null ? [] : [this.predecessorId])];
  }

  /**
   * Creates both groups and starts the sibling, then (`predecessor`) a predecessor that
   * ignores SIGTERM, in the top group after the sibling: stopped before the subject's
   * group. Resolves with the subject's group.
   */
  async create(predecessor: boolean, reattached: boolean): Promise<Group> {
    const top = await this.sup().group(TOP_GROUP.id, TOP_GROUP.options);
    const inner = await top.group(INNER_GROUP.id, INNER_GROUP.options);
    this.siblingId = await this.started(top, sibling(this.world, reattached));
    if (predecessor) this.predecessorId = await this.started(top, stubbornPredecessor(this.world));
    return inner;
  }

  /**
   * The sibling fails (exit 1): its group restarts, or fails past its intensity. Adopted (a
   * later boot reattached it: no pipes), it is killed by verified identity instead.
   */
  async failSibling(adopted = false): Promise<void> {
    if (adopted) return this.world.killVerified(this.sup().get(this.siblingId)?.identity ?? null);
    const run = this.sup().handle(this.siblingId);
    if (run === undefined) throw new Error(`no handle for the sibling ${this.siblingId}`);
    run.write('exit 1\n');
  }

  /** Waits until the sibling rests where the model's world says (its group at rest). */
  async settle(world: GroupWorld): Promise<void> {
    const want = siblingState(world);
    await waitUntil(
      () => {
        const state = this.sup().get(this.siblingId)?.state;
        if (want === 'live') return state === 'running' || state === 'idle';
        if (want === 'held') return state === 'held';
        return state === undefined || state === 'done';
      },
      WAIT_MS,
      `the sibling to be ${want}`,
    );
  }

  /**
   * The predecessor (being replaced, and ignoring SIGTERM) is stopped by its group too,
   * before the subject's group: once it was (unless told not to wait), the driver ends it
   * by verified identity. Its end reaches the supervisor (which lets the subject launch)
   * and then its group (which stops the subject's group, which stops the subject) in one
   * synchronous cascade of actor events: the subject is stopped in `spawning`, before its
   * launch can report (Node reports a child's spawn on a later tick). No timing involved.
   */
  async endPredecessor(stopped = true): Promise<void> {
    const id = this.predecessorId;
    if (id === null) {
      if (stopped) throw new Error('no predecessor in the top group');
      return;
    }
    const recycled = 'finalizing --RECYCLE--> (self)';
    if (stopped)
      await waitUntil(
        () => this.recorder.keysOf(id).includes(recycled),
        WAIT_MS,
        'the group to stop the predecessor',
      );
    await this.world.endMarked(id);
  }

  /** Cancels the top group (the subject's group with it); its end is awaited by the steps. */
  cancel(): void {
    const top = this.sup().findGroup(TOP_GROUP.id);
    if (top === undefined) throw new Error(`no group ${TOP_GROUP.id}`);
    void top.cancel().catch(() => undefined);
  }

  // Starts a fixture in `group`; resolves with its run id once it is ready.
  private async started(group: Group, { spec, ready }: Fixture): Promise<string> {
    const { id } = await group.spawn(spec);
    await this.world.ready(ready);
    return id;
  }

  /** Ends what is left of the other runs' processes (by verified identity). */
  async cleanup(): Promise<void> {
    for (const id of this.others) await this.world.endMarked(id);
  }
}
