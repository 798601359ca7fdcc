import { expect, test } from 'vitest';
import { setup } from 'xstate';
import { buildChartModel } from '../../src/charts/chart-model.js';
import { generateChart } from '../../src/charts/generate-chart.js';
import { emitScxml } from '../../src/charts/emit-scxml.js';
import { renderSvg } from '../../src/charts/render-svg.js';
import { listTransitions } from '../../src/machines/list-transitions.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { storeHealthMachine } from '../../src/machines/store-health-machine.js';
import { supervisorMachine } from '../../src/machines/supervisor-machine.js';
import { parseXml } from '../support/parse-xml.js';
import { RUN_STATES } from '../support/run-states.js';

test('the run chart: states in definition order, entry actions, invoked effects, final states', () => {
  const chart = buildChartModel(runMachine);
  expect(chart.machine).toBe('run');
  expect(chart.initial).toBe('created');
  expect(chart.states.map((s) => s.key)).toEqual(RUN_STATES);
  expect(chart.states.find((s) => s.key === 'replacing')?.entry).toEqual(['requestReplacement']);
  expect(chart.states.find((s) => s.key === 'backoff')).toMatchObject({
    entry: ['releaseProcess'],
    invoke: ['restartTimer'],
  });
  expect(chart.states.find((s) => s.key === 'recording')?.invoke).toEqual(['writeAhead']);
  // Inline assigns are not named; the named action after one is.
  expect(chart.states.find((s) => s.key === 'done')).toEqual({
    key: 'done',
    name: 'done',
    parent: null,
    initial: null,
    // Terminal, not final: a final run would cost its supervisor memory (a done event type).
    final: false,
    entry: ['releaseProcess', 'reportDone'],
    invoke: [],
  });
  expect(chart.transitions).toEqual(listTransitions(runMachine));
  expect(chart.transitions.find((t) => t.event === 'OUTPUT')?.actions).toEqual(['recordOutput']);
  // An invoked actor's completion is named after it, not after its generated id.
  expect(chart.transitions.filter((t) => t.source === 'recording').map((t) => t.event)).toEqual([
    'CANCEL',
    'RELEASE',
    'RECYCLE',
    'RECYCLE',
    'done.invoke.writeAhead',
    'done.invoke.writeAhead',
    'error.invoke.writeAhead',
    'error.invoke.writeAhead',
  ]);
});

test('the supervisor chart nests open, and draws the root for its transitions in every state', () => {
  const chart = buildChartModel(supervisorMachine);
  expect(chart.initial).toBe('supervisor');
  expect(chart.states.map((s) => [s.key, s.parent, s.initial])).toEqual([
    ['supervisor', null, 'idle'],
    ['idle', 'supervisor', null],
    ['open', 'supervisor', 'open.booting'],
    ['open.booting', 'open', null],
    ['open.active', 'open', null],
    ['open.draining', 'open', null],
    ['open.failing', 'open', null],
    ['closing', 'supervisor', null],
    ['stopped', 'supervisor', null],
  ]);
  expect(chart.states.find((s) => s.key === 'open')?.invoke).toEqual(['storeHealth']);
  expect(chart.transitions.filter((t) => t.source === 'supervisor').map((t) => t.key)).toEqual([
    'supervisor --RUN_ENDED[isOwnRun]--> (self)',
    'supervisor --SPAWN_ADMITTED--> (self)',
    'supervisor --SPAWN_REFUSED--> (self)',
    'supervisor --GROUP_REFUSED--> (self)',
    'supervisor --GROUP_ENDED--> (self)',
    'supervisor --CANCEL_GROUP--> (self)',
    'supervisor --CHILD_HELD[childFailed]--> (self)',
    'supervisor --ADD_GROUP--> (self)',
    'supervisor --xstate.error.actor.*[isRunFailure]--> (self)',
    'supervisor --SPAWN--> (self)',
    'supervisor --REPLACE_PREDECESSORS--> (self)',
  ]);
  expect(chart.transitions.map((t) => t.key)).toContain(
    'open.draining --always[noLiveRuns]--> closing',
  );
});

test('the store health chart draws its root for the probe it invokes for its whole life', () => {
  const chart = buildChartModel(storeHealthMachine);
  expect(chart.initial).toBe('storeHealth');
  expect(chart.states.map((s) => [s.key, s.parent, s.invoke])).toEqual([
    ['storeHealth', null, ['probeStore']],
    ['ok', 'storeHealth', []],
    ['degraded', 'storeHealth', []],
  ]);
});

test('names that need escaping still give well-formed SCXML and SVG', async () => {
  const odd = setup({}).createMachine({
    id: 'odd"<&>',
    initial: 'a&b',
    states: { 'a&b': { on: { "GO<'now'>": 'c"d' } }, 'c"d': { type: 'final' } },
  });
  const chart = buildChartModel(odd);
  expect(parseXml(emitScxml(chart)).children.map((c) => c.attributes.id)).toEqual(['a&b', 'c"d']);
  const svg = await renderSvg(chart);
  expect(parseXml(svg).tag).toBe('svg');
  expect(svg).toContain('GO&lt;&#39;now&#39;&gt;');
});

test('states sharing a name in different parents keep distinct keys and Mermaid ids', async () => {
  const twice = setup({}).createMachine({
    id: 'twice',
    initial: 'a',
    states: {
      a: { initial: 'x', states: { x: { on: { GO: '#twice.b.x' } } } },
      b: { initial: 'x', states: { x: { type: 'final' } } },
    },
  });
  const chart = buildChartModel(twice);
  expect(chart.states.map((s) => s.key)).toEqual(['a', 'a.x', 'b', 'b.x']);
  expect(chart.transitions.map((t) => t.key)).toEqual(['a.x --GO--> b.x']);
  const { emitMermaid } = await import('../../src/charts/emit-mermaid.js');
  const mermaid = emitMermaid(chart);
  expect(mermaid).toContain('  a_x --> b_x : GO\n');
  expect(mermaid).toContain('    a_x : x\n');
  expect(parseXml(emitScxml(chart)).children.map((c) => c.attributes.id)).toEqual(['a', 'b']);
  expect(parseXml(await renderSvg(chart)).tag).toBe('svg');
});

test('generating the same chart twice gives the same text', async () => {
  expect(await generateChart('supervisor', 'svg')).toBe(await generateChart('supervisor', 'svg'));
});
