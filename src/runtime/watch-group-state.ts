// Follows a group actor's public state: each change (and its creation) is reported once.
import type { AnyActorRef } from 'xstate';
import type { GroupInfo, GroupStateName } from '../types.js';
import { groupInfoOf, groupStateOf, type GroupSnapshot } from './group-info.js';

export function watchGroupState(
  ref: AnyActorRef,
  changed: (from: GroupStateName | null, group: GroupInfo) => void,
): void {
  let last: GroupStateName | null = null;
  const report = (snapshot: GroupSnapshot) => {
    const state = groupStateOf(snapshot.value);
    if (state === last) return;
    const from = last;
    last = state;
    changed(from, groupInfoOf(snapshot));
  };
  ref.subscribe({ next: report, error: () => undefined });
}
