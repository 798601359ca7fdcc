// SVG through Graphviz compiled to WebAssembly (@viz-js/viz): in-process, no browser, no
// native build, no download at install. Loaded on first use only: the module is 1.2 MB of
// JavaScript that every other CLI command would otherwise parse at startup.
import type { Viz } from '@viz-js/viz';
import type { ChartModel } from './chart-model.js';
import { emitDot } from './emit-dot.js';

let viz: Promise<Viz> | undefined;

/** The chart as a standalone SVG document (layout by Graphviz `dot`). */
export async function renderSvg(chart: ChartModel): Promise<string> {
  viz ??= import('@viz-js/viz').then((graphviz) => graphviz.instance());
  const result = (await viz).render(emitDot(chart), { format: 'svg', engine: 'dot' });
  if (result.status === 'failure') {
    const messages = result.errors.map((error) => error.message).join('; ');
    throw new Error(`chart: Graphviz could not lay out ${chart.machine}: ${messages}`);
  }
  return result.output;
}
