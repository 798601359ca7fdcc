// Walks a machine's state nodes and lists every transition definition, with a stable key.
// Used by the model-based tests to prove coverage (and by anything that draws the charts).
import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

/** One transition of a machine, described as plain data. */
export interface TransitionInfo {
  /** `source --EVENT[guard]--> target`, unique within a machine. */
  readonly key: string;
  /** The state's path from the machine's root (`open.booting`); the machine's id for the root. */
  readonly source: string;
  /**
   * Event type; `always` for eventless transitions. An invoked actor's completion is named
   * after the actor it runs, as SCXML names it: `done.invoke.<src>`, and `error.invoke.<src>`
   * when it failed. A wildcard (`xstate.done.actor.*`: any child actor reached its end) stays
   * as written.
   */
  readonly event: string;
  readonly guard: string | null;
  /** Target state paths; empty for a targetless (self) transition. */
  readonly targets: readonly string[];
  /** Names of the named actions it runs, in order (inline `assign`s are not named). */
  readonly actions: readonly string[];
}

/** The path of a state node from its machine's root, dot-separated; the machine's id for the root. */
export function statePath(node: AnyStateNode): string {
  return node.path.length === 0 ? node.key : node.path.join('.');
}

/** Describes one transition definition. */
export function describeTransition(transition: AnyTransitionDefinition): TransitionInfo {
  const source = statePath(transition.source);
  const event = eventName(transition.source, String(transition.eventType));
  const guard = guardName(transition.guard);
  const targetNodes: readonly AnyStateNode[] = transition.target ?? [];
  const targets = targetNodes.map(statePath);
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

/** The actors a state node invokes while it is active, by the name they are registered under. */
export function invokedActors(node: AnyStateNode): string[] {
  return node.invoke.map((definition) =>
    typeof definition.src === 'string' ? definition.src : definition.id,
  );
}

/** Every transition of every state node of `machine`, in definition order (depth first). */
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

// `xstate.done.actor.<id>` / `xstate.error.actor.<id>` of an actor the source state invokes
// are named after that actor: ids are often generated (`0.run.recording`), names are not.
function eventName(source: AnyStateNode, eventType: string): string {
  if (eventType === '') return 'always';
  const invoked = /^xstate\.(done|error)\.actor\.(.+)$/.exec(eventType);
  const definition = source.invoke.find((candidate) => candidate.id === invoked?.[2]);
  if (invoked === null || definition === undefined) return eventType;
  const name = typeof definition.src === 'string' ? definition.src : definition.id;
  return `${invoked[1] ?? 'done'}.invoke.${name}`;
}

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string')
    return guard.type;
  return 'inline';
}
