// `runwarden chart`: prints a machine's statechart, generated from its definition. Needs
// no daemon: the charts are of the code this binary was built from.
import { Option, type Command } from 'commander';
import {
  CHART_FORMATS,
  CHARTED_MACHINES,
  generateChart,
  type ChartFormat,
  type ChartedMachine,
} from '../charts/generate-chart.js';
import type { Print } from './command-helpers.js';

/** Adds the `chart` command to `program`; `print` receives the chart text. */
export function addChartCommand(program: Command, print: Print): void {
  program
    .command('chart')
    .description("print a machine's statechart, generated from the machine definition")
    .addOption(
      new Option('--machine <name>', 'which machine')
        .choices(Object.keys(CHARTED_MACHINES))
        .default('run'),
    )
    .addOption(
      new Option('--format <format>', 'mermaid, scxml, json, or svg (Graphviz, in-process)')
        .choices(Object.keys(CHART_FORMATS))
        .default('mermaid'),
    )
    .action(async (options: { machine: ChartedMachine; format: ChartFormat }) => {
      print(await generateChart(options.machine, options.format));
    });
}
