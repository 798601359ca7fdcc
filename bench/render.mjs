// Renders the figures' results as BENCHMARKS.md.

const fmt = (value, unit) => {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
};
const spread = (s, unit) =>
  s.n > 1 ? `${fmt(s.p25)}-${fmt(s.p75)} (min ${fmt(s.min)}, max ${fmt(s.max)}) ${unit}` : '-';
const verdict = (met) => (met === null ? 'report' : met ? 'met' : '**missed**');

/** The whole file. */
export function renderMarkdown({ machine, quick, seconds, results, notes, ran }) {
  const lines = [
    '# Benchmarks',
    '',
    quick
      ? '_Quick mode (`npm run bench -- --quick`): small sizes, a smoke test of the scripts; not the figures._'
      : 'Written by `npm run bench` (bench/run.mjs); do not edit by hand: the notes at the end come from bench/findings.md.',
    '',
    `Machine: ${machine.cpu}, ${machine.memory}, ${machine.os}. Node ${machine.node}. ${runLine(machine.date, seconds, ran)}`,
    '',
    'Each figure is measured in rounds; runwarden (A) and its baseline (B) alternate within the',
    'same run (ABBA...), so that load from other work on the machine falls on both. "median" is',
    'the median over rounds; "spread" is the interquartile range over rounds, then min and max.',
    'The ratio is A median / B median.',
    '',
    '| # | what | runwarden median | baseline median | ratio | target | met? |',
    '| - | ---- | ---------------- | --------------- | ----- | ------ | ---- |',
  ];
  for (const result of results) {
    if (result.pending) {
      lines.push(
        `| ${result.id} | ${result.title} | not available yet (durable run host) | - | - | report | - |`,
      );
      continue;
    }
    if (result.crashed) {
      lines.push(`| ${result.id} | ${result.title} | **crashed** | - | - | - | - |`);
      continue;
    }
    for (const row of result.rows) {
      lines.push(
        `| ${result.id} | ${row.what} | ${fmt(row.a.median, row.unit)} | ${row.b ? fmt(row.b.median, row.unit) : '-'} | ${row.ratio === null ? '-' : `${fmt(row.ratio)}x`} | ${row.target} | ${verdict(row.met)} |`,
      );
    }
  }
  lines.push('', '## Figures', '');
  for (const result of results) {
    lines.push(`### ${result.id}. ${result.title}`, '');
    if (result.pending) {
      lines.push('Not available yet: the durable run host (issue 5) is being built on main.', '');
      continue;
    }
    if (result.crashed) {
      lines.push('The figure crashed; see the run log.', '');
      continue;
    }
    lines.push(
      `Baseline: ${result.baseline}. Target: ${result.target}. Rounds: ${result.rounds}.`,
      '',
    );
    lines.push(
      '| what | side | median | spread (IQR; min, max) |',
      '| ---- | ---- | ------ | ------ |',
    );
    for (const row of result.rows) {
      lines.push(
        `| ${row.what} | runwarden | ${fmt(row.a.median, row.unit)} | ${spread(row.a, row.unit)} |`,
      );
      if (row.b)
        lines.push(
          `| ${row.what} | baseline | ${fmt(row.b.median, row.unit)} | ${spread(row.b, row.unit)} |`,
        );
    }
    lines.push('');
    for (const detail of result.details ?? []) lines.push(`- ${detail}`);
    if ((result.details ?? []).length > 0) lines.push('');
  }
  lines.push(notes.trim(), '');
  return lines.join('\n');
}

// When the figures ran, and which: `--only` keeps the other figures' earlier results.
function runLine(date, seconds, ran) {
  if (ran === null) return `Run ${date}, ${Math.round(seconds)} s in all.`;
  if (ran.length === 0) return `Rendered ${date} from earlier runs' results.`;
  const which = `figure${ran.length === 1 ? '' : 's'} ${ran.join(', ')}`;
  return `Run ${date}, ${Math.round(seconds)} s for ${which} (the others kept from earlier runs).`;
}
