// `npm run bench`: runs every figure in its own Node process (a clean heap each), then
// writes BENCHMARKS.md. `--quick` runs a small version of each and writes to
// test-artifacts/ instead, so CI never overwrites the committed results. `--only 1,4`
// runs some figures and keeps the others' last results (test-artifacts/bench.json). Exits non-zero only when a figure crashed or leaked a process:
// a missed target is a finding, reported in the file, not a failure.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_TAG, machineInfo, quick } from './lib.mjs';
import { renderMarkdown } from './render.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? new Set(process.argv[onlyAt + 1].split(',').map(Number)) : null;

const figures = readdirSync(benchDir)
  .map((file) => /^fig(\d+)-.*\.mjs$/.exec(file))
  .filter((match) => match !== null)
  .map((match) => ({ id: Number(match[1]), file: match[0] }))
  .filter((figure) => only === null || only.has(figure.id))
  .sort((a, b) => a.id - b.id);

const outDir = quick ? join(root, 'test-artifacts') : root;
mkdirSync(join(root, 'test-artifacts'), { recursive: true });
const started = Date.now();
const results = [];
let crashed = 0;
for (const figure of figures) {
  const resultFile = join(root, 'test-artifacts', `bench-fig${figure.id}.json`);
  rmSync(resultFile, { force: true });
  console.log(`figure ${figure.id}: ${figure.file}${quick ? ' (quick)' : ''}`);
  const t = Date.now();
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', join(benchDir, figure.file), ...(quick ? ['--quick'] : [])],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, [BENCH_TAG]: randomUUID(), RW_BENCH_RESULT: resultFile },
      // Figure 3 at full size runs two sides of up to 600 s each.
      timeout: (quick ? 60 : 1500) * 1000,
    },
  );
  let result = null;
  try {
    result = JSON.parse(readFileSync(resultFile, 'utf8'));
  } catch {
    // no result: the figure crashed before reporting
  }
  if (child.status !== 0 || result === null) {
    crashed++;
    console.error(`figure ${figure.id} failed (exit ${child.status ?? child.signal})`);
    results.push({ id: figure.id, title: figure.file, crashed: true, rows: [] });
  } else {
    results.push(result);
  }
  console.log(`figure ${figure.id}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
}
const jsonFile = join(root, 'test-artifacts', quick ? 'bench-quick.json' : 'bench.json');
if (only !== null) {
  // Figures not run this time keep their last results.
  let previous = [];
  try {
    previous = JSON.parse(readFileSync(jsonFile, 'utf8'));
  } catch {
    // none yet
  }
  for (const old of previous) if (!results.some((r) => r.id === old.id)) results.push(old);
  results.sort((a, b) => a.id - b.id);
}
const seconds = (Date.now() - started) / 1000;
const notes = readFileSync(join(benchDir, 'findings.md'), 'utf8');
const file = join(outDir, quick ? 'BENCHMARKS.quick.md' : 'BENCHMARKS.md');
const ran = only === null ? null : figures.map((figure) => figure.id);
writeFileSync(
  file,
  renderMarkdown({ machine: machineInfo(), quick, seconds, results, notes, ran }),
);
writeFileSync(jsonFile, JSON.stringify(results, null, 2));
console.log(`wrote ${file} in ${seconds.toFixed(1)} s`);
process.exitCode = crashed > 0 ? 1 : 0;
