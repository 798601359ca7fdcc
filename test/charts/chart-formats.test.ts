// Every state and every transition of every charted machine appears in every format, nested
// states inside their parents, and the XML formats are well-formed.
import { describe, expect, test } from 'vitest';
import type { AnyStateMachine } from 'xstate';
import {
  buildChartModel,
  childrenOf,
  stateDetails,
  transitionLabel,
  type ChartModel,
} from '../../src/charts/chart-model.js';
import { entryOf } from '../../src/charts/emit-dot.js';
import { mermaidIds } from '../../src/charts/emit-mermaid.js';
import {
  CHARTED_MACHINES,
  generateChart,
  type ChartedMachine,
} from '../../src/charts/generate-chart.js';
import { findAll, parseXml, textOf, type XmlElement } from '../support/parse-xml.js';

const machines = Object.keys(CHARTED_MACHINES) as ChartedMachine[];
const modelOf = (machine: ChartedMachine) =>
  buildChartModel(CHARTED_MACHINES[machine] as AnyStateMachine);
// A targetless transition is drawn as a loop on its own state.
const targetsOf = (t: { source: string; targets: readonly string[] }) =>
  t.targets.length === 0 ? [t.source] : t.targets;
const compoundKeys = (model: ChartModel) =>
  new Set(model.states.filter((s) => s.initial !== null).map((s) => s.key));

describe.each(machines)('the %s machine', (machine) => {
  const model = modelOf(machine);

  test('mermaid: a line per transition, every state in its block, the markers', async () => {
    const text = await generateChart(machine, 'mermaid');
    const lines = text.split('\n');
    const id = mermaidIds(model);
    const name = (key: string) => id.get(key) ?? key;
    expect(lines[1]).toBe('stateDiagram-v2');
    expect(lines).toContain(`  [*] --> ${name(model.initial)}`);
    for (const t of model.transitions) {
      for (const target of targetsOf(t)) {
        const line = `${name(t.source)} --> ${name(target)} : ${transitionLabel(t)}`;
        expect(lines.map((l) => l.trim())).toContain(line);
      }
    }
    for (const state of model.states) {
      const own = name(state.key);
      const mentions = lines.filter((line) =>
        new RegExp(`^\\s*(state (".*" as )?)?${own}\\b`).test(line),
      );
      expect(mentions.length, `${state.key} is named`).toBeGreaterThan(0);
      // Mermaid places a state in the block that names it last: its parent's.
      expect(blockOf(lines, lines.lastIndexOf(mentions.at(-1) ?? '')), state.key).toBe(
        state.parent === null ? null : name(state.parent),
      );
      if (state.final) expect(lines.map((l) => l.trim())).toContain(`${own} --> [*]`);
      if (state.initial !== null) {
        const label = [state.name, ...stateDetails(state)].join('<br/>');
        const head = label === own ? `state ${own} {` : `state "${label}" as ${own} {`;
        expect(lines.map((l) => l.trim())).toContain(head);
        expect(lines.map((l) => l.trim())).toContain(`[*] --> ${name(state.initial)}`);
      } else {
        for (const detail of stateDetails(state))
          expect(lines.map((l) => l.trim())).toContain(`${own} : ${detail}`);
      }
    }
  });

  test('scxml: well-formed, states nested in their parents, transitions under their source', async () => {
    const root = parseXml(await generateChart(machine, 'scxml'));
    expect(root.attributes).toMatchObject({
      name: machine === 'store-health' ? 'storeHealth' : machine,
      initial: model.initial,
    });
    const elements = findAll(root, 'state').concat(findAll(root, 'final'));
    expect(elements.map((e) => e.attributes.id).sort()).toEqual(
      model.states.map((s) => s.key).sort(),
    );
    for (const state of model.states) {
      const element = elements.find((e) => e.attributes.id === state.key);
      if (element === undefined) throw new Error(`no element for ${state.key}`);
      expect(element.tag).toBe(state.final ? 'final' : 'state');
      const parent =
        state.parent === null ? root : elements.find((e) => e.attributes.id === state.parent);
      expect(parent?.children, `${state.key} sits in ${state.parent ?? 'the document'}`).toContain(
        element,
      );
      expect(element.attributes.initial ?? null).toBe(state.initial);
      const own = (tag: string) => element.children.filter((c) => c.tag === tag);
      const entry = own('onentry').flatMap((e) => findAll(e, 'rw:action'));
      expect(entry.map((a) => a.attributes.name)).toEqual(state.entry);
      expect(own('invoke').map((i) => i.attributes.src)).toEqual(state.invoke);
      const written = own('transition').map((e) => ({
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

  test('svg: a node or cluster per state, an edge per transition with its label', async () => {
    const svg = parseXml(await generateChart(machine, 'svg'));
    expect(svg.tag).toBe('svg');
    const groups = findAll(svg, 'g');
    const byId = new Map(groups.map((g) => [g.attributes.id, g]));
    const compound = compoundKeys(model);
    for (const state of model.states) {
      const group = byId.get(`state-${state.key}`);
      expect(group?.attributes.class).toBe(
        compound.has(state.key) ? 'cluster state compound' : 'node state',
      );
      expect(textOf(group ?? svg)).toContain(state.name);
      if (!compound.has(state.key)) {
        expect(findAll(group ?? svg, 'title')[0]?.text).toBe(state.key);
        continue;
      }
      // A cluster is drawn around its children and its initial dot.
      const cluster = box(group ?? svg);
      const members = [`${state.key}-initial`, ...childrenOf(model, state.key).map((c) => c.key)];
      for (const member of members) {
        const inner = byId.get(`state-${member}`);
        expect(inner, `state-${member}`).toBeDefined();
        expect(within(box(inner ?? svg), cluster), `${member} inside ${state.key}`).toBe(true);
      }
    }
    // An edge ends at a state's node, or at a compound state's initial dot.
    const end = (key: string) => (compound.has(key) ? entryOf(key) : key);
    model.transitions.forEach((t, index) => {
      const edges = groups.filter((g) => g.attributes.id === `transition-${index}`);
      expect(edges.map((e) => findAll(e, 'title')[0]?.text)).toEqual(
        targetsOf(t).map((target) => `${end(t.source)}->${end(target)}`),
      );
      for (const edge of edges) expect(textOf(edge)).toContain(transitionLabel(t));
    });
  });
});

// The Mermaid id of the innermost `state ... {` block around line `at` (null: the top level).
function blockOf(lines: readonly string[], at: number): string | null {
  const open: string[] = [];
  for (const line of lines.slice(0, at)) {
    const head = /^\s*state (?:"[^"]*" as )?(\S+) \{$/.exec(line);
    if (head?.[1] !== undefined) open.push(head[1]);
    else if (line.trim() === '}') open.pop();
  }
  return open.at(-1) ?? null;
}

// The bounding box of every coordinate pair a group's shapes are drawn with.
function box(group: XmlElement): { x0: number; y0: number; x1: number; y1: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const shape of [
    ...findAll(group, 'path'),
    ...findAll(group, 'polygon'),
    ...findAll(group, 'ellipse'),
  ]) {
    const { cx, cy, rx, ry } = shape.attributes;
    if (cx !== undefined && cy !== undefined) {
      xs.push(Number(cx) - Number(rx ?? 0), Number(cx) + Number(rx ?? 0));
      ys.push(Number(cy) - Number(ry ?? 0), Number(cy) + Number(ry ?? 0));
      continue;
    }
    const text = shape.attributes.points ?? shape.attributes.d ?? '';
    for (const [, x, y] of text.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) {
      xs.push(Number(x));
      ys.push(Number(y));
    }
  }
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

function within(inner: ReturnType<typeof box>, outer: ReturnType<typeof box>): boolean {
  return (
    inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x1 <= outer.x1 && inner.y1 <= outer.y1
  );
}
