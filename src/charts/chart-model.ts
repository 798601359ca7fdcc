// The chart of a machine as plain data, read from its state nodes and transitions: every
// emitter draws from this, so a chart can never drift from the machine definition.
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import {
  listTransitions,
  namedActions,
  type TransitionInfo,
} from '../machines/list-transitions.js';

/** One state of a charted machine. */
export interface ChartState {
  readonly key: string;
  readonly final: boolean;
  /** Named entry actions, in order. */
  readonly entry: readonly string[];
}

/** A machine's chart: its states and every transition, in definition order. */
export interface ChartModel {
  readonly machine: string;
  readonly initial: string;
  readonly states: readonly ChartState[];
  readonly transitions: readonly TransitionInfo[];
}

/** Builds the chart of a flat machine (both runwarden machines are flat). */
export function buildChartModel(machine: AnyStateMachine): ChartModel {
  const children: AnyStateNode[] = Object.values(machine.root.states);
  const nested = children.find((node) => Object.keys(node.states).length > 0);
  // The emitters draw one level; a nested machine needs them extended, not silently flattened.
  if (nested !== undefined)
    throw new Error(`chart: state ${nested.key} of ${machine.id} has child states`);
  const initial = machine.root.initial.target[0]?.key;
  if (initial === undefined) throw new Error(`chart: ${machine.id} has no initial state`);
  return {
    machine: machine.id,
    initial,
    states: children.map((node) => ({
      key: node.key,
      final: node.type === 'final',
      entry: namedActions(node.entry),
    })),
    transitions: listTransitions(machine),
  };
}

/** `EVENT [guard] / action, action`: how every format labels a transition. */
export function transitionLabel(transition: TransitionInfo): string {
  const guard = transition.guard === null ? '' : ` [${transition.guard}]`;
  const actions = transition.actions.length === 0 ? '' : ` / ${transition.actions.join(', ')}`;
  return `${transition.event}${guard}${actions}`;
}
