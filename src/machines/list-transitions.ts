// Walks a machine's state nodes and lists every transition definition, with a stable key.
// Used by the model-based tests to prove coverage (and by anything that draws the charts).
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

/** One transition of a machine, described as plain data. */
export interface TransitionInfo {
  /** `source --EVENT[guard]--> target`, unique within a machine. */
  readonly key: string;
  readonly source: string;
  /** Event type; `always` for eventless transitions. */
  readonly event: string;
  readonly guard: string | null;
  /** Target state keys; empty for a targetless (self) transition. */
  readonly targets: readonly string[];
  /** Names of the named actions it runs, in order (inline `assign`s are not named). */
  readonly actions: readonly string[];
}

/** Describes one transition definition. */
export function describeTransition(transition: AnyTransitionDefinition): TransitionInfo {
  const source = transition.source.key;
  const eventType: string = String(transition.eventType);
  const event = eventType === '' ? 'always' : eventType;
  const guard = guardName(transition.guard);
  const targetNodes: readonly AnyStateNode[] = transition.target ?? [];
  const targets = targetNodes.map((node) => node.key);
  const key = `${source} --${event}${guard === null ? '' : `[${guard}]`}--> ${targets.length === 0 ? '(self)' : targets.join(',')}`;
  return { key, source, event, guard, targets, actions: namedActions(transition.actions) };
}

/** The names of the named actions among `actions` (entry, exit or transition actions). */
export function namedActions(actions: readonly unknown[]): string[] {
  const names: string[] = [];
  for (const action of actions) {
    if (typeof action === 'string') names.push(action);
    else if (typeof action === 'object' && action !== null && 'type' in action) {
      const type = String(action.type);
      if (!type.startsWith('xstate.')) names.push(type);
    }
  }
  return names;
}

/** Every transition of every state node of `machine`, in definition order. */
export function listTransitions(machine: AnyStateMachine): TransitionInfo[] {
  const found: TransitionInfo[] = [];
  const visit = (node: AnyStateNode): void => {
    for (const definitions of node.transitions.values()) {
      for (const definition of definitions) found.push(describeTransition(definition));
    }
    for (const definition of node.always ?? []) found.push(describeTransition(definition));
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root);
  return found;
}

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string')
    return guard.type;
  return 'inline';
}
