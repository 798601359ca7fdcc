// Renders bench/compare.mjs's comparison (old checkout against new) as markdown.

/** A ratio new/old beyond this, in the worse direction, is flagged as worse than the noise. */
export const WORSE_BEYOND = 1.15;

const fmt = (value, unit = '') => {
  if (value === null || value === undefined || Number.isNaN(value)) return '-';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
};
const times = (ratio) => (ratio === null ? '-' : `${ratio.toFixed(2)}x`);
const list = (values) => values.map((v) => fmt(v)).join(', ');

/** Whether a row's new median is worse than its old one beyond the noise. */
export function worse(row) {
  if (row.old.median === null || row.new.median === null) return false;
  // Growth rows (figure 8) sit near zero, where a ratio means nothing: any growth of
  // descriptors is a leak; heap or RSS growing by more than the figure's own noise bound
  // (its target, `<= 1 MiB`) beyond the old code's is one too.
  if (row.unit === 'fds') return row.new.median > Math.max(0, row.old.median);
  if (row.what.includes('growth')) {
    const bound = Number(/^<= ([\d.]+)/.exec(row.target ?? '')?.[1] ?? 0);
    return row.new.median - row.old.median > bound;
  }
  if (row.old.median <= 0) return false;
  const ratio = row.new.median / row.old.median;
  return row.higherIsBetter ? ratio < 1 / WORSE_BEYOND : ratio > WORSE_BEYOND;
}

/** The whole markdown report. */
export function renderComparison(c) {
  const lines = [
    '# Benchmarks, old against new',
    '',
    `Old: \`${c.roots.old}\`; new: \`${c.roots.new}\`. Machine: ${c.machine.cpu}, ${c.machine.memory}, Node ${c.machine.node}. Run finished ${c.machine.date}, ${(c.seconds / 60).toFixed(1)} min.`,
    `Load average (1 min, sampled every 5 s): median ${fmt(c.load.median)}, min ${fmt(c.load.min)}, max ${fmt(c.load.max)}.`,
    '',
    'Each figure ran through each checkout’s own script and dist/, in the order old, new, new,',
    'old per round. A cell is the median, over those runs, of each run’s runwarden-side median;',
    'the baseline columns are the same for the figure’s raw baseline, a control for load (its',
    `ratio should be near 1). Flagged: new worse than old by more than ${WORSE_BEYOND}x; for the`,
    'growth rows, new growing more than old by the figure’s own bound, or any descriptor growth.',
    '',
    '| # | what | old | new | new/old | baseline old | baseline new | baseline new/old | flag |',
    '| - | ---- | --- | --- | ------- | ------------ | ------------ | ---------------- | ---- |',
  ];
  for (const f of c.figures) {
    for (const row of f.rows) {
      const flag = worse(row) ? '**worse**' : '';
      lines.push(
        `| ${f.id} | ${row.what} | ${fmt(row.old.median, row.unit)} | ${fmt(row.new.median, row.unit)} | ${times(row.ratio)} | ${fmt(row.old.baseline, row.unit)} | ${fmt(row.new.baseline, row.unit)} | ${times(row.baselineRatio)} | ${flag} |`,
      );
    }
  }
  lines.push('', '## Figures', '');
  for (const f of c.figures) {
    const leaked = [...f.leaked.old, ...f.leaked.new].some((n) => n > 0);
    lines.push(
      `### ${f.id}. ${f.title}`,
      '',
      `- ${f.rounds} round(s) of old, new, new, old${f.quick ? ', **quick size**' : ''}${f.id === 3 ? ` (RW_FIG3_RUNS=${c.fig3Runs})` : ''}; ${fmt(f.seconds / 60)} min; load average median ${fmt(f.load.median)} (${fmt(f.load.min)}-${fmt(f.load.max)}).`,
      f.scriptDiffers.length > 0
        ? `- **The script differs** between the checkouts (${f.scriptDiffers.join(', ')}): the two sides may not measure the same thing.`
        : '- Same script in both checkouts.',
      `- Leaked processes per run: old ${f.leaked.old.join(', ') || '-'}, new ${f.leaked.new.join(', ') || '-'}${leaked ? ' **(leak)**' : ''}.`,
      f.failed.length > 0 ? `- **Failed runs:** ${f.failed.join(', ')}.` : '- No run failed.',
    );
    for (const row of f.rows)
      lines.push(
        `- ${row.what}: old ${list(row.old.runs)}; new ${list(row.new.runs)} ${row.unit ?? ''}`,
      );
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
