// The runwarden dashboard: plain browser JavaScript, no build step. Everything it shows
// comes from the daemon's control API (/v1/..., the routes the CLI uses), its event
// stream (/v1/events) and the run chart generated from the machine (/v1/charts/run).
// Authentication is the HttpOnly session cookie: this script never sees the token.
import { showReconcile } from './reconcile-view.js';
import { exitText, formatAge, restartParts } from './run-text.js';
import { createTreeView } from './tree-view.js';

const TAIL_BYTES = 16 * 1024;
const TAIL_CHARS = 64 * 1024;
// Escape sequences of PTY output (colours, cursor moves) are dropped from the tail.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;

const view = { runs: [], byId: new Map(), rows: new Map(), selected: null, following: null };
const byId = (id) => document.getElementById(id);
// The supervision tree, fetched again whenever the supervisor reports a lifecycle event or
// its groups changed.
const tree = createTreeView({
  container: byId('tree'),
  load: async () => (await api('GET', '/v1/tree')).tree,
  // A run the list does not show yet (its `runs` event is on the way) is not selected.
  onSelectRun: (id) => view.byId.has(id) && select(id),
  // The tree's run nodes carry no restart facts: they come from the run list, by run id.
  describeRun: (node) => {
    const run = view.byId.get(node.id);
    const parts = new Map(run === undefined ? [] : restartParts(run, Date.now()));
    const held = node.state === 'held';
    // In backoff or held the pid is the ended generation's: no process is running.
    const waiting = (node.state === 'backoff' || held) && node.pid !== null;
    return [
      ...(waiting ? [['pid', `last pid ${node.pid}`]] : []),
      ['restarts', parts.get('count') ?? ''],
      ['generation', parts.get('generation') ?? ''],
      ['countdown', parts.get('countdown') ?? ''],
      // Its group starts it again (or ends it): said even before the run list has it.
      ['held', held ? (parts.get('held') ?? 'waits for its group') : ''],
    ];
  },
  onError: showError,
});

/** Calls the control API; throws with the API's message. */
async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const parsed = response.status === 204 ? null : await response.json();
  if (!response.ok) throw new Error(parsed?.error?.message ?? `HTTP ${response.status}`);
  return parsed;
}

function showError(error) {
  const box = byId('error');
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
}

/**
 * Shows `[part, text]` pairs (run-text.js) in `container`, one `span[data-part]` each. The
 * spans are reused while the parts stay the same, so a ticking countdown only changes text.
 */
function showParts(container, parts) {
  const names = parts.map(([name]) => name).join(' ');
  if (container.dataset.parts !== names) {
    container.dataset.parts = names;
    container.replaceChildren(
      ...parts.map(([name]) => {
        const span = document.createElement('span');
        span.dataset.part = name;
        return span;
      }),
    );
  }
  for (const [i, [, text]] of parts.entries()) {
    const span = container.children[i];
    if (span.textContent !== text) span.textContent = text;
  }
}

/** The row of a run, created once and updated in place (buttons survive updates). */
function rowFor(run) {
  let row = view.rows.get(run.id);
  if (row !== undefined) return row;
  row = document.createElement('tr');
  row.dataset.runId = run.id;
  for (const field of [
    'id',
    'state',
    'restarts',
    'pid',
    'scope',
    'owner',
    'command',
    'age',
    'output',
    'exit',
  ]) {
    const cell = document.createElement('td');
    cell.dataset.field = field;
    row.append(cell);
  }
  const actions = document.createElement('td');
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.className = 'cancel';
  cancel.textContent = 'Cancel';
  cancel.addEventListener('click', (event) => {
    event.stopPropagation();
    cancel.disabled = true;
    cancel.textContent = 'Cancelling…';
    api('POST', `/v1/runs/${encodeURIComponent(run.id)}/cancel`).catch(showError);
  });
  actions.append(cancel);
  row.append(actions);
  row.addEventListener('click', () => select(run.id));
  view.rows.set(run.id, row);
  return row;
}

function fillRow(row, run, now) {
  const cell = (field) => row.querySelector(`[data-field="${field}"]`);
  cell('id').textContent = run.id;
  cell('state').textContent = run.state;
  cell('state').className = `state-${run.state}`;
  cell('pid').textContent = run.pid ?? '';
  // In backoff or held the pid is the ended generation's: no process is running.
  const waiting = run.state === 'backoff' || run.state === 'held';
  cell('pid').classList.toggle('ended', waiting);
  cell('pid').title = waiting ? 'the last generation (ended)' : '';
  cell('scope').textContent = run.scopeKey ?? '';
  cell('owner').textContent = run.ownerId ?? '';
  cell('command').textContent = [run.command, ...run.args].join(' ');
  cell('command').title = cell('command').textContent;
  cell('age').textContent = formatAge(now - run.createdAt);
  cell('output').textContent =
    run.lastOutputAt === null
      ? ''
      : `${formatAge(now - run.lastOutputAt)} ago (${run.outputBytes} B)`;
  cell('exit').textContent = exitText(run.exit, run);
  cell('exit').classList.toggle('gave-up', run.exit?.reason === 'restart-limit');
  showParts(cell('restarts'), restartParts(run, now));
  row.querySelector('button.cancel').hidden = run.state === 'done';
  row.classList.toggle('selected', run.id === view.selected);
}

/** Shows the run list of a `runs` event: newest first. */
function showRuns(runs) {
  view.runs = [...runs].sort((a, b) => b.createdAt - a.createdAt);
  view.byId = new Map(view.runs.map((run) => [run.id, run]));
  const body = document.querySelector('#runs tbody');
  const now = Date.now();
  for (const [id, row] of view.rows) {
    if (!view.runs.some((run) => run.id === id)) {
      row.remove();
      view.rows.delete(id);
    }
  }
  for (const run of view.runs) {
    const row = rowFor(run);
    fillRow(row, run, now);
    body.append(row);
  }
  byId('no-runs').hidden = view.runs.length > 0;
  if (view.selected === null && view.runs.length > 0) select(view.runs[0].id);
  else showSelected();
  tree.repaint();
}

function select(id) {
  const changed = view.selected !== id;
  view.selected = id;
  for (const [rowId, row] of view.rows) row.classList.toggle('selected', rowId === id);
  tree.select(id);
  showSelected();
  const run = view.byId.get(id);
  if (changed && run !== undefined) void followOutput(run);
}

/** The selected run's summary, and its state highlighted in the chart. */
function showSelected() {
  const run = view.byId.get(view.selected);
  byId('selected-id').textContent = run?.id ?? '(none selected)';
  byId('selected-summary').textContent =
    run === undefined
      ? ''
      : `${run.state}${run.exit === null ? '' : `: ${exitText(run.exit, run)}`}`;
  showSelectedRestarts(Date.now());
  for (const node of document.querySelectorAll('#chart g.current'))
    node.classList.remove('current');
  if (run !== undefined) byId(`state-${run.state}`)?.classList.add('current');
}

/** The selected run's restart policy at work, worded in full. */
function showSelectedRestarts(now) {
  const run = view.byId.get(view.selected);
  showParts(byId('selected-restarts'), run === undefined ? [] : restartParts(run, now, true));
}

/** Streams the selected run's output tail (`GET /v1/runs/:id/output?follow=true`, NDJSON). */
async function followOutput(run) {
  view.following?.abort();
  const following = new AbortController();
  view.following = following;
  const pre = byId('output');
  pre.textContent = '';
  const append = (text) => {
    pre.textContent = (pre.textContent + text).slice(-TAIL_CHARS);
    pre.scrollTop = pre.scrollHeight;
  };
  const since = Math.max(0, run.outputBytes - TAIL_BYTES);
  const path = `/v1/runs/${encodeURIComponent(run.id)}/output?since=${since}&follow=true`;
  try {
    const response = await fetch(path, { signal: following.signal });
    if (!response.ok) throw new Error(`output: HTTP ${response.status}`);
    const lines = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const bytes = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await lines.read();
      if (done) break;
      buffered += value;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const message = JSON.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        if (message.type === 'output') {
          const data = Uint8Array.from(atob(message.data), (c) => c.charCodeAt(0));
          append(bytes.decode(data, { stream: true }).replace(ANSI, ''));
        } else if (message.type === 'exit') {
          append(`\n[run ended: ${exitText(message.exit, run) || 'unknown'}]\n`);
        }
      }
    }
  } catch (error) {
    if (!following.signal.aborted) showError(error);
  }
}

async function loadChart() {
  const response = await fetch('/v1/charts/run?format=svg');
  if (!response.ok) throw new Error(`chart: HTTP ${response.status}`);
  const svg = await response.text();
  const chart = byId('chart');
  // Our own SVG, generated from the machine: inlined so CSS can highlight its nodes.
  chart.innerHTML = svg.slice(svg.indexOf('<svg'));
  chart.querySelector('svg')?.removeAttribute('width');
  chart.querySelector('svg')?.removeAttribute('height');
  showSelected();
}

async function loadStatus() {
  const status = await api('GET', '/v1/status');
  byId('daemon').textContent = `${status.name} · pid ${status.pid} · ${status.state}`;
  showReconcile(status.lastReconcile, '(at boot)');
}

function connect() {
  const source = new EventSource('/v1/events');
  const connection = byId('connection');
  source.addEventListener('open', () => {
    connection.textContent = 'live';
    connection.classList.add('live');
    // Events may have been missed while (re)connecting.
    void tree.refresh();
  });
  source.addEventListener('error', () => {
    connection.textContent = 'reconnecting…';
    connection.classList.remove('live');
  });
  source.addEventListener('runs', (message) => showRuns(JSON.parse(message.data).runs));
  source.addEventListener('supervisor', () => void tree.refresh());
  // A group's own changes (created, restarting, held, failed) need not come with a run's.
  source.addEventListener('groups', () => void tree.refresh());
}

byId('reconcile-dry-run').addEventListener('click', () => {
  api('POST', '/v1/reconcile', { dryRun: true })
    .then(({ report }) => showReconcile(report, `(dry run at ${new Date().toLocaleTimeString()})`))
    .catch(showError);
});
// Ages and backoff countdowns move on between events: recomputed from the clock each
// second, never fetched (the daemon sends `nextStartAt` once, when the backoff begins).
setInterval(() => {
  const now = Date.now();
  for (const run of view.runs) fillRow(rowFor(run), run, now);
  showSelectedRestarts(now);
  tree.repaint();
}, 1000);
connect();
loadChart().catch(showError);
loadStatus().catch(showError);
