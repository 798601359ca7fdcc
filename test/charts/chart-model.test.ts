import { expect, test } from 'vitest';
import { setup } from 'xstate';
import { buildChartModel } from '../../src/charts/chart-model.js';
import { generateChart } from '../../src/charts/generate-chart.js';
import { emitScxml } from '../../src/charts/emit-scxml.js';
import { renderSvg } from '../../src/charts/render-svg.js';
import { listTransitions } from '../../src/machines/list-transitions.js';
import { runMachine } from '../../src/machines/run-machine.js';
import { parseXml } from '../support/parse-xml.js';

test('the run chart: states in definition order, entry actions, the final state', () => {
  const chart = buildChartModel(runMachine);
  expect(chart.machine).toBe('run');
  expect(chart.initial).toBe('replacing');
  expect(chart.states.map((s) => s.key)).toEqual([
    'replacing',
    'spawning',
    'running',
    'idle',
    'finalizing',
    'orphaned',
    'done',
  ]);
  expect(chart.states.find((s) => s.key === 'spawning')?.entry).toEqual(['spawnProcess']);
  // Inline assigns are not named; the named action after one is.
  expect(chart.states.find((s) => s.key === 'done')).toEqual({
    key: 'done',
    final: true,
    entry: ['releaseProcess'],
  });
  expect(chart.transitions).toEqual(listTransitions(runMachine));
  expect(chart.transitions.find((t) => t.event === 'OUTPUT')?.actions).toEqual(['recordOutput']);
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

test('a nested machine is refused rather than drawn flat', () => {
  const nested = setup({}).createMachine({
    id: 'nested',
    initial: 'a',
    states: { a: { initial: 'x', states: { x: {} } } },
  });
  expect(() => buildChartModel(nested)).toThrow('state a of nested has child states');
});

test('generating the same chart twice gives the same text', async () => {
  expect(await generateChart('supervisor', 'svg')).toBe(await generateChart('supervisor', 'svg'));
});
