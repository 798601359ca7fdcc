// How the real supervisor must answer what the driver asks of it, as the group model says: a
// spawn or a group refused (and why), and a group whose record the store holds, answered only
// once it leaves `recording` (its record landed, or it was stopped, recycled or released).
import { expect } from 'vitest';
import type { GroupModel } from './group-model.js';
import { itemOf, type VariantName } from './group-model-variants.js';

/** The error code a spawn of member `what`, or the creation of group `what`, is refused with. */
export function expectedRefusal(model: GroupModel, variant: VariantName, what: string) {
  const item = itemOf(variant, what);
  if (item.kind === 'run') return model.runState(what) === 'none' ? 'E_GROUP_UNAVAILABLE' : null;
  if (model.activeGroups.has(what)) return null;
  const stored = model.groupState(what) === 'gone' && item.refused;
  return stored ? 'E_STORE_UNAVAILABLE' : 'E_GROUP_UNAVAILABLE';
}

/** Waits for `answer` and expects it refused with `code` (null: not refused). */
export async function expectAnswer(answer: Promise<unknown>, code: string | null, what: string) {
  const got = await answer.then(
    () => null,
    (error: unknown) => (error as { code?: string }).code ?? String(error),
  );
  expect(got, `how ${what} was answered`).toBe(code);
}

/** Groups asked for while the store holds their record: answered once they leave `recording`. */
export class HeldGroupAnswers {
  private readonly pending = new Map<string, Promise<unknown>>();

  add(path: string, answer: Promise<unknown>): void {
    // Answered later: never an unhandled rejection meanwhile.
    answer.catch(() => undefined);
    this.pending.set(path, answer);
  }

  /**
   * Each group that left `recording` in the model was answered: created (its record landed,
   * or recycled by its parent: it waits, and exists), or refused as stopped as it started
   * (E_GROUP_UNAVAILABLE while the supervisor serves, E_SUPERVISOR_STOPPED once it does not).
   */
  async check(model: GroupModel, what: string): Promise<void> {
    for (const [path, answer] of this.pending) {
      const state = model.groupState(path);
      if (state === 'recording') continue;
      this.pending.delete(path);
      const created = state !== 'gone' && !['stopped', 'released'].includes(state);
      const refusal = model.serving() ? 'E_GROUP_UNAVAILABLE' : 'E_SUPERVISOR_STOPPED';
      await expectAnswer(answer, created ? null : refusal, `${what}: group ${path}`);
    }
  }
}
