// The reconcile panel: the boot reconcile report from `GET /v1/status`, or the answer of
// the page's dry-run button, one line a kind of finding.
const byId = (id) => document.getElementById(id);

/** Shows `report` (null: none yet) in the reconcile panel, `when` beside its title. */
export function showReconcile(report, when) {
  byId('reconcile-when').textContent = when;
  const list = byId('reconcile');
  list.replaceChildren();
  if (report === null) return;
  const ids = (items) => items.map((item) => (typeof item === 'string' ? item : item.runId));
  const rows = [
    ['killed', ids(report.killed)],
    ['reattached', ids(report.reattached)],
    ['lost', ids(report.lost)],
    ['uncertain', ids(report.uncertain)],
    ['escapees killed', report.escapeesKilled.map((e) => `${e.runId} (pid ${e.pid})`)],
    ['unknown marked', report.unknownMarked.map((e) => `${e.runId} (pid ${e.pid})`)],
    ['quarantined', ids(report.quarantined)],
    [
      'left for a newer runwarden',
      (report.newer ?? []).map((n) => `${n.key} (v${n.schemaVersion}: needs ${n.needs})`),
    ],
  ];
  for (const [name, values] of rows) {
    const term = document.createElement('dt');
    term.textContent = name;
    const value = document.createElement('dd');
    value.textContent = values.length === 0 ? '-' : values.join(', ');
    list.append(term, value);
  }
  const term = document.createElement('dt');
  term.textContent = 'took';
  const value = document.createElement('dd');
  value.textContent = `${report.durationMs} ms${report.dryRun ? ' (dry run: nothing signalled)' : ''}`;
  list.append(term, value);
}
