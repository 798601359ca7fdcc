// Every state and every transition of both machines appears in every format, and the XML
// formats are well-formed.
import { describe, expect, test } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import { buildChartModel, transitionLabel } from '../../src/charts/chart-model.js';
import {
  CHARTED_MACHINES,
  generateChart,
  type ChartedMachine,
} from '../../src/charts/generate-chart.js';
import { findAll, parseXml, textOf } from '../support/parse-xml.js';

const machines = Object.keys(CHARTED_MACHINES) as ChartedMachine[];
const modelOf = (machine: ChartedMachine) =>
  buildChartModel(CHARTED_MACHINES[machine] as AnyStateMachine);
// A targetless transition is drawn as a loop on its own state.
const targetsOf = (t: { source: string; targets: readonly string[] }) =>
  t.targets.length === 0 ? [t.source] : t.targets;

describe.each(machines)('the %s machine', (machine) => {
  const model = modelOf(machine);

  test('mermaid: a line per transition, every state, the initial and final markers', async () => {
    const lines = (await generateChart(machine, 'mermaid')).split('\n');
    expect(lines[1]).toBe('stateDiagram-v2');
    expect(lines).toContain(`  [*] --> ${model.initial}`);
    for (const t of model.transitions) {
      for (const target of targetsOf(t))
        expect(lines).toContain(`  ${t.source} --> ${target} : ${transitionLabel(t)}`);
    }
    for (const state of model.states) {
      expect(lines.some((line) => line.startsWith(`  ${state.key} `))).toBe(true);
      if (state.final) expect(lines).toContain(`  ${state.key} --> [*]`);
      if (state.entry.length > 0)
        expect(lines).toContain(`  ${state.key} : entry / ${state.entry.join(', ')}`);
    }
  });

  test('scxml: well-formed, one element per state, every transition under its source', async () => {
    const root = parseXml(await generateChart(machine, 'scxml'));
    expect(root.attributes).toMatchObject({ name: machine, initial: model.initial });
    const elements = root.children.filter((c) => c.tag === 'state' || c.tag === 'final');
    expect(elements.map((e) => e.attributes.id)).toEqual(model.states.map((s) => s.key));
    for (const state of model.states) {
      const element = elements.find((e) => e.attributes.id === state.key);
      expect(element?.tag).toBe(state.final ? 'final' : 'state');
      const entry = findAll(element ?? root, 'onentry').flatMap((e) => findAll(e, 'rw:action'));
      expect(entry.map((a) => a.attributes.name)).toEqual(state.entry);
      const written = findAll(element ?? root, 'transition').map((e) => ({
        event: e.attributes.event ?? 'always',
        guard: e.attributes.cond ?? null,
        targets: e.attributes.target?.split(' ') ?? [],
        actions: findAll(e, 'rw:action').map((a) => a.attributes.name),
      }));
      const expected = model.transitions
        .filter((t) => t.source === state.key)
        .map(({ event, guard, targets, actions }) => ({ event, guard, targets, actions }));
      expect(written).toEqual(expected);
    }
  });

  test('json: the chart model itself', async () => {
    const parsed = JSON.parse(await generateChart(machine, 'json')) as unknown;
    expect(parsed).toEqual(JSON.parse(JSON.stringify(model)));
  });

  test('svg: well-formed, a node per state, an edge per transition with its label', async () => {
    const svg = parseXml(await generateChart(machine, 'svg'));
    expect(svg.tag).toBe('svg');
    const groups = findAll(svg, 'g');
    const byId = new Map(groups.map((g) => [g.attributes.id, g]));
    for (const state of model.states) {
      const node = byId.get(`state-${state.key}`);
      expect(node?.attributes.class).toBe('node state');
      expect(findAll(node ?? svg, 'title')[0]?.text).toBe(state.key);
      expect(textOf(node ?? svg)).toContain(state.key);
    }
    model.transitions.forEach((t, index) => {
      const edges = groups.filter((g) => g.attributes.id === `transition-${index}`);
      expect(edges.map((e) => findAll(e, 'title')[0]?.text)).toEqual(
        targetsOf(t).map((target) => `${t.source}->${target}`),
      );
      for (const edge of edges) expect(textOf(edge)).toContain(transitionLabel(t));
    });
  });
});
