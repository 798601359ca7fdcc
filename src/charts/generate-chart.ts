// `runwarden chart`: one machine, one format, generated from the machine definition.
import type { AnyStateMachine } from 'xstate';
import { groupMachine } from '../machines/group-machine.js';
import { runMachine } from '../machines/run-machine.js';
import { storeHealthMachine } from '../machines/store-health-machine.js';
import { supervisorMachine } from '../machines/supervisor-machine.js';
import { buildChartModel } from './chart-model.js';
import { emitJson } from './emit-json.js';
import { emitMermaid } from './emit-mermaid.js';
import { emitScxml } from './emit-scxml.js';
import { renderSvg } from './render-svg.js';

/** The machines that can be charted, by name (kebab-case, as the CLI and the files name them). */
export const CHARTED_MACHINES = {
  run: runMachine,
  supervisor: supervisorMachine,
  group: groupMachine,
  'store-health': storeHealthMachine,
} as const;
export type ChartedMachine = keyof typeof CHARTED_MACHINES;

/** Chart formats, with the file extension `npm run charts` gives each. */
export const CHART_FORMATS = { mermaid: 'mmd', scxml: 'scxml', json: 'json', svg: 'svg' } as const;
export type ChartFormat = keyof typeof CHART_FORMATS;

/** The chart of `machine` in `format`, as text. */
export async function generateChart(machine: ChartedMachine, format: ChartFormat): Promise<string> {
  const chart = buildChartModel(CHARTED_MACHINES[machine] as AnyStateMachine);
  switch (format) {
    case 'mermaid':
      return emitMermaid(chart);
    case 'scxml':
      return emitScxml(chart);
    case 'json':
      return emitJson(chart);
    case 'svg':
      return renderSvg(chart);
  }
}
