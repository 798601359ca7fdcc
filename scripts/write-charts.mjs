// `npm run charts`: regenerates docs/charts/* with the built CLI, and the Mermaid blocks
// that README.md and docs/architecture.md embed after a `<!-- chart: MACHINE -->` marker.
// test/charts/chart-drift.test.ts fails when any of them no longer matches the code.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}dist/cli/main.js`;
// Every machine and format the built code charts: a new machine gets its files here.
const { CHARTED_MACHINES, CHART_FORMATS } = await import(
  pathToFileURL(`${root}dist/charts/generate-chart.js`).href
);
const machines = Object.keys(CHARTED_MACHINES);
const formats = CHART_FORMATS;

const chart = (machine, format) =>
  execFileSync(process.execPath, [cli, 'chart', '--machine', machine, '--format', format], {
    encoding: 'utf8',
  });

for (const machine of machines) {
  for (const [format, extension] of Object.entries(formats)) {
    const file = `docs/charts/${machine}.${extension}`;
    writeFileSync(`${root}${file}`, chart(machine, format));
    console.log(`wrote ${file}`);
  }
}

for (const file of ['README.md', 'docs/architecture.md']) {
  const path = `${root}${file}`;
  const text = readFileSync(path, 'utf8').replace(
    /(<!-- chart: ([\w-]+) -->\n\n?```mermaid\n)[\s\S]*?(```)/g,
    (_match, head, machine, tail) => `${head}${chart(machine, 'mermaid')}${tail}`,
  );
  writeFileSync(path, text);
  console.log(`updated the embedded charts of ${file}`);
}
