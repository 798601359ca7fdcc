// The committed charts (docs/charts/*, and the Mermaid blocks README.md and
// docs/architecture.md embed) must be what the code generates: `npm run charts` fixes this.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import {
  CHART_FORMATS,
  CHARTED_MACHINES,
  generateChart,
  type ChartFormat,
  type ChartedMachine,
} from '../../src/charts/generate-chart.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIX = 'regenerate with `npm run charts`';
const read = (file: string) => readFileSync(`${ROOT}${file}`, 'utf8');

const files = (Object.keys(CHARTED_MACHINES) as ChartedMachine[]).flatMap((machine) =>
  (Object.entries(CHART_FORMATS) as Array<[ChartFormat, string]>).map(
    ([format, extension]) => [machine, format, `docs/charts/${machine}.${extension}`] as const,
  ),
);

test.each(files)('the %s chart in %s matches %s', async (machine, format, file) => {
  expect(read(file), `${file} is stale: ${FIX}`).toBe(await generateChart(machine, format));
});

test.each([
  ['README.md', ['run']],
  ['docs/architecture.md', ['run', 'supervisor', 'group', 'store-health']],
])('the Mermaid charts embedded in %s match the code', async (file, machines) => {
  const blocks = [
    ...read(file).matchAll(/<!-- chart: ([\w-]+) -->\n\n?```mermaid\n([\s\S]*?)```/g),
  ];
  expect(blocks.map((block) => block[1])).toEqual(machines);
  for (const [, machine, text] of blocks) {
    expect(text, `the ${String(machine)} chart in ${file} is stale: ${FIX}`).toBe(
      await generateChart(machine as ChartedMachine, 'mermaid'),
    );
  }
});
