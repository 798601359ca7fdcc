// `node bench/compare.mjs OLD_ROOT NEW_ROOT`: runs each figure through each checkout's own
// bench/figN script (its own dist/), alternating old, new, new, old per round, so that load
// from other work on the machine falls on both, and compares the runwarden side of every
// row: old median, new median, ratio new/old. Each root must be built (`npm run build`).
// Writes test-artifacts/bench-compare.json and .md under this script's checkout (another
// base name with --out NAME).
//
// Options: --only 1,4 (some figures); --rounds N (ABBA rounds per figure, default 1);
// --rounds-of 8=1,4=2 (per figure); --quick (every figure small); --quick-figures 8 (some
// small); --render FILE (the markdown again from a JSON). Figure 3 runs at
// RW_FIG3_RUNS=100 unless the environment says otherwise.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderComparison } from './compare-render.mjs';
import { BENCH_TAG, machineInfo, summarize } from './lib.mjs';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
// Options with a value, flags, and the two roots, in any order.
const valued = new Set([
  '--only',
  '--rounds',
  '--rounds-of',
  '--quick-figures',
  '--render',
  '--out',
]);
const options = new Map();
const roots = [];
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i];
  if (valued.has(arg)) options.set(arg, process.argv[++i]);
  else if (arg.startsWith('--')) options.set(arg, true);
  else roots.push(resolve(arg));
}
const option = (name) => options.get(name);
const out = option('--out') ?? 'bench-compare';
const numbers = (text) => (text ? new Set(text.split(',').map(Number)) : null);
// `--render FILE`: writes the markdown again from an earlier comparison's JSON.
if (typeof options.get('--render') === 'string') {
  const markdown = renderComparison(JSON.parse(readFileSync(options.get('--render'), 'utf8')));
  writeFileSync(join(here, 'test-artifacts', `${out}.md`), markdown);
  console.log(markdown);
  process.exit(0);
}
if (roots.length !== 2) {
  console.error('usage: node bench/compare.mjs OLD_ROOT NEW_ROOT [--only 1,4] [--rounds N]');
  process.exit(2);
}
const sides = { old: roots[0], new: roots[1] };
const only = numbers(option('--only'));
const roundsDefault = Number(option('--rounds') ?? 1);
const roundsOf = new Map(
  (option('--rounds-of') ?? '')
    .split(',')
    .filter(Boolean)
    .map((pair) => pair.split('=').map(Number)),
);
const quickAll = options.has('--quick');
const quickSome = numbers(option('--quick-figures')) ?? new Set();
process.env.RW_FIG3_RUNS ??= '100';

/** Figure id -> script file name, in one root. */
function figuresOf(root) {
  const found = new Map();
  for (const file of readdirSync(join(root, 'bench'))) {
    const match = /^fig(\d+)-.*\.mjs$/.exec(file);
    if (match) found.set(Number(match[1]), file);
  }
  return found;
}

/** The figure's script and every local module it imports, by path relative to the root. */
function scriptFiles(root, file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(join(root, 'bench', file), 'utf8');
  for (const [, dep] of text.matchAll(/from '\.\/([^']+\.mjs)'/g)) scriptFiles(root, dep, seen);
  return seen;
}

/** The bench files that differ between the two roots for one figure (empty: same script). */
function scriptDifferences(oldFile, newFile) {
  const files = new Set([...scriptFiles(sides.old, oldFile), ...scriptFiles(sides.new, newFile)]);
  const differs = [];
  for (const file of files) {
    const read = (root) => {
      const path = join(root, 'bench', file);
      return existsSync(path) ? readFileSync(path, 'utf8') : null;
    };
    if (read(sides.old) !== read(sides.new)) differs.push(file);
  }
  return differs;
}

// The load average, sampled every 5 s while the figures run.
const loadSamples = [];
const sampleLoad = () => loadSamples.push({ t: Date.now(), load: loadavg()[0] });
sampleLoad();
const loadTimer = setInterval(sampleLoad, 5000);

/** One figure run in one root, with the protocol of bench/run.mjs; resolves its result. */
function runFigure(root, file, id, quick, resultFile) {
  rmSync(resultFile, { force: true });
  const child = spawn(
    process.execPath,
    ['--expose-gc', join(root, 'bench', file), ...(quick ? ['--quick'] : [])],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, [BENCH_TAG]: randomUUID(), RW_BENCH_RESULT: resultFile },
    },
  );
  const limit = setTimeout(() => child.kill('SIGKILL'), (quick ? 120 : 1500) * 1000);
  return new Promise((done) => {
    child.once('exit', (code, signal) => {
      clearTimeout(limit);
      let result = null;
      try {
        result = JSON.parse(readFileSync(resultFile, 'utf8'));
      } catch {
        // no result: the figure crashed before reporting
      }
      done({ id, code, signal, result });
    });
  });
}

const artifacts = join(here, 'test-artifacts');
const work = join(artifacts, out);
mkdirSync(work, { recursive: true });
const oldFigures = figuresOf(sides.old);
const newFigures = figuresOf(sides.new);
const ids = [...newFigures.keys()]
  .filter((id) => oldFigures.has(id) && (only === null || only.has(id)))
  .sort((a, b) => a - b);
const started = Date.now();
const figures = [];
for (const id of ids) {
  const quick = quickAll || quickSome.has(id);
  const rounds = roundsOf.get(id) ?? roundsDefault;
  const differs = scriptDifferences(oldFigures.get(id), newFigures.get(id));
  const runs = [];
  const loadFrom = loadSamples.length;
  const t = Date.now();
  for (let round = 0; round < rounds; round++) {
    for (const [k, side] of ['old', 'new', 'new', 'old'].entries()) {
      const resultFile = join(work, `fig${id}-r${round}-${k}-${side}.json`);
      const file = (side === 'old' ? oldFigures : newFigures).get(id);
      console.log(`figure ${id}, round ${round + 1}/${rounds}, ${side}${quick ? ' (quick)' : ''}`);
      const at = Date.now();
      const run = await runFigure(sides[side], file, id, quick, resultFile);
      const seconds = (Date.now() - at) / 1000;
      sampleLoad();
      const load = loadSamples.at(-1).load;
      console.log(
        `  ${side}: ${seconds.toFixed(1)} s, exit ${run.code ?? run.signal}, load ${load}`,
      );
      runs.push({ side, round, seconds, code: run.code, signal: run.signal, result: run.result });
    }
  }
  const load = summarize(loadSamples.slice(loadFrom).map((s) => s.load));
  figures.push({ id, quick, rounds, differs, seconds: (Date.now() - t) / 1000, load, runs });
  writeFileSync(join(artifacts, `${out}.json`), JSON.stringify(compare(), null, 2));
}
clearInterval(loadTimer);

/** Per figure and row: the medians over runs of each side's per-run medians. */
function compare() {
  const compared = [];
  for (const figure of figures) {
    const ok = (side) => figure.runs.filter((r) => r.side === side && r.result !== null);
    const title = ok('new')[0]?.result.title ?? ok('old')[0]?.result.title ?? `figure ${figure.id}`;
    const names = [];
    for (const run of figure.runs)
      for (const row of run.result?.rows ?? []) if (!names.includes(row.what)) names.push(row.what);
    const rows = names.map((what) => {
      const values = (side, key) =>
        ok(side)
          .map((r) => r.result.rows.find((row) => row.what === what)?.[key]?.median)
          .filter((v) => typeof v === 'number');
      const first = figure.runs.flatMap((r) => r.result?.rows ?? []).find((r) => r.what === what);
      const unit = first?.unit;
      const side = (name) => ({ a: values(name, 'a'), b: values(name, 'b') });
      const median = (list) => (list.length > 0 ? summarize(list).median : null);
      const o = side('old');
      const n = side('new');
      const ratio = (x, y) => (x === null || y === null || y === 0 ? null : x / y);
      return {
        what,
        unit,
        target: first?.target ?? 'report',
        higherIsBetter: unit === 'MiB/s',
        old: { runs: o.a, median: median(o.a), baseline: median(o.b) },
        new: { runs: n.a, median: median(n.a), baseline: median(n.b) },
        ratio: ratio(median(n.a), median(o.a)),
        baselineRatio: ratio(median(n.b), median(o.b)),
      };
    });
    compared.push({
      id: figure.id,
      title,
      quick: figure.quick,
      rounds: figure.rounds,
      scriptDiffers: figure.differs,
      seconds: figure.seconds,
      load: figure.load,
      failed: figure.runs.filter((r) => r.result === null || r.code !== 0).map((r) => r.side),
      leaked: {
        old: ok('old').map((r) => r.result.leaked),
        new: ok('new').map((r) => r.result.leaked),
      },
      details: Object.fromEntries(
        ['old', 'new'].map((s) => [s, ok(s).map((r) => r.result.details ?? [])]),
      ),
      rows,
    });
  }
  return {
    machine: machineInfo(),
    roots: sides,
    fig3Runs: Number(process.env.RW_FIG3_RUNS),
    seconds: (Date.now() - started) / 1000,
    load: summarize(loadSamples.map((s) => s.load)),
    figures: compared,
  };
}

const comparison = compare();
writeFileSync(join(artifacts, `${out}.json`), JSON.stringify(comparison, null, 2));
const markdown = renderComparison(comparison);
writeFileSync(join(artifacts, `${out}.md`), markdown);
console.log(markdown);
process.exitCode = comparison.figures.some((f) => f.failed.length > 0) ? 1 : 0;
