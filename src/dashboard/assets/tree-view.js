// The supervision tree panel: `GET /v1/tree` drawn as nested lists. Any node with
// `children` nests them (the supervisor and its groups, groups in groups), to any depth.
// Nodes are keyed by their path, so an update changes elements in place: a collapsed branch
// stays collapsed and the page does not flicker.
import { groupFields } from './group-text.js';

/** The fields each kind of node shows, in order; other kinds show `name` or `id`, and `state`. */
const FIELDS = {
  group: groupFields,
  supervisor: (node) => [
    ['name', node.name],
    ['state', node.state],
    ['store', node.storeHealth === 'ok' ? '' : `store ${node.storeHealth}`],
  ],
  run: (node) => [
    ['id', node.id],
    ['state', node.state],
    ['command', node.command],
    ['pid', node.pid === null ? '' : `pid ${node.pid}`],
    ['scope', node.scopeKey === null ? '' : `scope ${node.scopeKey}`],
  ],
};
const otherFields = (node) => [
  ['name', node.name ?? node.id ?? ''],
  ['state', node.state ?? ''],
];

/**
 * A tree view in `container`. `load()` resolves with the tree; `refresh()` calls it, at most
 * one call at a time, and once more after a call if it was asked again meanwhile (so the
 * last answer drawn is never older than the last request). Clicking a run calls
 * `onSelectRun(id)`. `describeRun(node)` adds `[field, text]` pairs to a run's node, or
 * replaces its own (facts the tree does not carry, such as its restarts); `repaint()` draws
 * the last tree again with them, without loading it.
 */
export function createTreeView({ container, load, onSelectRun, onError, describeRun = () => [] }) {
  const elements = new Map();
  const collapsed = new Set();
  const root = document.createElement('ul');
  root.className = 'tree';
  root.setAttribute('role', 'tree');
  container.replaceChildren(root);
  let selected = null;
  let loading = false;
  let again = false;
  let last = null;

  function itemFor(key, node) {
    let item = elements.get(key);
    if (item !== undefined) return item;
    item = document.createElement('li');
    item.setAttribute('role', 'treeitem');
    item.dataset.kind = node.kind;
    item.dataset.nodeKey = key;
    const line = document.createElement('div');
    line.className = 'node';
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.className = 'toggle';
    toggle.addEventListener('click', (event) => {
      event.stopPropagation();
      if (collapsed.has(key)) collapsed.delete(key);
      else collapsed.add(key);
      showExpanded(item, key);
    });
    const kind = document.createElement('span');
    kind.className = 'kind';
    kind.textContent = node.kind;
    line.append(toggle, kind);
    if (node.kind === 'run') {
      item.dataset.runId = node.id;
      line.addEventListener('click', () => onSelectRun(node.id));
    }
    if (node.kind === 'group') item.dataset.groupPath = node.path;
    const children = document.createElement('ul');
    children.setAttribute('role', 'group');
    item.append(line, children);
    elements.set(key, item);
    return item;
  }

  function showExpanded(item, key) {
    const open = !collapsed.has(key);
    const toggle = item.querySelector(':scope > .node > .toggle');
    toggle.textContent = open ? '▾' : '▸';
    toggle.setAttribute('aria-label', open ? 'collapse' : 'expand');
    if (item.hasAttribute('aria-expanded')) item.setAttribute('aria-expanded', String(open));
    item.querySelector(':scope > ul').hidden = !open;
  }

  function fillItem(item, key, node) {
    const line = item.querySelector(':scope > .node');
    // What `describeRun` says of a field replaces the tree's own; new fields come last.
    const fields = new Map((FIELDS[node.kind] ?? otherFields)(node));
    if (node.kind === 'run') for (const [name, value] of describeRun(node)) fields.set(name, value);
    for (const [name, value] of fields) {
      let cell = line.querySelector(`:scope > [data-field="${name}"]`);
      if (cell === null) {
        cell = document.createElement('span');
        cell.dataset.field = name;
        line.append(cell);
      }
      // Unchanged text is left alone: a repaint each second must not disturb a selection.
      if (cell.textContent !== value) cell.textContent = value;
      cell.hidden = value === '';
      if (name === 'state') cell.className = `state-${value}`;
    }
    const nests = Array.isArray(node.children);
    item.querySelector(':scope > .node > .toggle').hidden = !nests;
    if (nests) item.setAttribute('aria-expanded', 'true');
    else item.removeAttribute('aria-expanded');
    item.classList.toggle('selected', node.kind === 'run' && node.id === selected);
    showExpanded(item, key);
  }

  // Draws `nodes` into `list`, reusing the elements of the keys it already shows.
  function drawNodes(list, nodes, parentKey, seen) {
    const items = nodes.map((node) => {
      const key = `${parentKey}/${node.kind}:${node.id ?? node.name ?? ''}`;
      seen.add(key);
      const item = itemFor(key, node);
      fillItem(item, key, node);
      const children = item.querySelector(':scope > ul');
      if (Array.isArray(node.children)) {
        drawNodes(children, node.children, key, seen);
        if (node.children.length === 0) children.append(emptyNote(node));
      } else children.replaceChildren();
      return item;
    });
    const current = [...list.children];
    if (current.length !== items.length || current.some((item, i) => item !== items[i]))
      list.replaceChildren(...items);
  }

  function emptyNote(node) {
    const note = document.createElement('li');
    note.className = 'empty';
    note.textContent = node.kind === 'supervisor' ? 'no live runs' : 'empty';
    return note;
  }

  function draw(tree) {
    last = tree;
    const seen = new Set();
    drawNodes(root, [tree], '', seen);
    for (const key of elements.keys()) if (!seen.has(key)) elements.delete(key);
    for (const key of collapsed) if (!seen.has(key)) collapsed.delete(key);
  }

  async function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      do {
        again = false;
        draw(await load());
      } while (again);
    } catch (error) {
      onError(error);
    } finally {
      loading = false;
    }
  }

  function repaint() {
    if (last !== null) draw(last);
  }

  function select(id) {
    selected = id;
    for (const item of elements.values())
      if (item.dataset.kind === 'run')
        item.classList.toggle('selected', item.dataset.runId === selected);
  }

  return { refresh, repaint, select };
}
