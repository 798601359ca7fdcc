// The chart of a machine as plain data, read from its state nodes and transitions: every
// emitter draws from this, so a chart can never drift from the machine definition.
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import {
  invokedActors,
  listTransitions,
  namedActions,
  statePath,
  type TransitionInfo,
} from '../machines/list-transitions.js';

/** One state of a charted machine. */
export interface ChartState {
  /** Its path from the machine's root (`open.booting`), as transitions name it. */
  readonly key: string;
  /** Its own name (`booting`). */
  readonly name: string;
  /** The key of the compound state it belongs to; `null` at the top. */
  readonly parent: string | null;
  /** A compound state's initial child (its key); `null` for a simple state. */
  readonly initial: string | null;
  readonly final: boolean;
  /** Named entry actions, in order. */
  readonly entry: readonly string[];
  /** Actors invoked while the state is active (stopped when it is left), by name. */
  readonly invoke: readonly string[];
}

/** A machine's chart: its states (depth first, parents before children) and every transition. */
export interface ChartModel {
  readonly machine: string;
  /** The key of the top-level initial state. */
  readonly initial: string;
  readonly states: readonly ChartState[];
  readonly transitions: readonly TransitionInfo[];
}

/**
 * Builds the chart of a machine. Compound states keep their children. The root itself is
 * drawn as a compound state (keyed by the machine's id) only when it has something of its
 * own to show: transitions taken in every state, or actors invoked for the machine's life.
 */
export function buildChartModel(machine: AnyStateMachine): ChartModel {
  const transitions = listTransitions(machine);
  const root = machine.root;
  const drawRoot =
    invokedActors(root).length > 0 || transitions.some((t) => t.source === statePath(root));
  const states: ChartState[] = [];
  const visit = (node: AnyStateNode, parent: string | null): void => {
    const key = statePath(node);
    if (states.some((state) => state.key === key))
      throw new Error(`chart: two states of ${machine.id} are keyed ${key}`);
    states.push({
      key,
      name: node.key,
      parent,
      initial: initialChild(node),
      final: node.type === 'final',
      entry: namedActions(node.entry),
      invoke: invokedActors(node),
    });
    for (const child of Object.values(node.states)) visit(child, key);
  };
  if (drawRoot) visit(root, null);
  else for (const child of Object.values(root.states)) visit(child, null);
  const initial = drawRoot ? statePath(root) : initialChild(root);
  if (initial === null) throw new Error(`chart: ${machine.id} has no initial state`);
  return { machine: machine.id, initial, states, transitions };
}

/** `EVENT [guard] / action, action`: how every format labels a transition. */
export function transitionLabel(transition: TransitionInfo): string {
  const guard = transition.guard === null ? '' : ` [${transition.guard}]`;
  const actions = transition.actions.length === 0 ? '' : ` / ${transition.actions.join(', ')}`;
  return `${transition.event}${guard}${actions}`;
}

/** The lines that describe a state besides its name: `entry / ...`, `invoke / ...`. */
export function stateDetails(state: ChartState): string[] {
  return [
    ...(state.entry.length === 0 ? [] : [`entry / ${state.entry.join(', ')}`]),
    ...(state.invoke.length === 0 ? [] : [`invoke / ${state.invoke.join(', ')}`]),
  ];
}

/** The children of the compound state `parent` (`null`: the top level), in order. */
export function childrenOf(chart: ChartModel, parent: string | null): ChartState[] {
  return chart.states.filter((state) => state.parent === parent);
}

function initialChild(node: AnyStateNode): string | null {
  if (Object.keys(node.states).length === 0) return null;
  const target = (node.initial.target as readonly AnyStateNode[])[0];
  return target === undefined ? null : statePath(target);
}
