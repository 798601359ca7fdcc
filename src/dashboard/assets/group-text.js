// How the dashboard words a group (a nested supervisor) in the supervision tree: its id and
// path, state, strategy, restarts and restart intensity. Pure functions of a GroupTreeNode
// (`sup.tree()`), no DOM: tree-view.js calls them, test/dashboard/group-text.test.ts too.
import { formatDuration } from './run-text.js';

/** The group's restart intensity, as a run's policy words its own: `≤5 in 1m`. */
export function intensityText(node) {
  return `≤${node.maxRestarts} in ${formatDuration(node.restartWindowMs)}`;
}

/**
 * The restarts the group carried out, since it was created: `1 restart`, `3 restarts`;
 * empty at 0, as for a run. Not a count within the intensity's window: the tree carries
 * only the total, so it is never shown as a fraction of the limit.
 */
export function groupRestartsText(node) {
  const n = node.restarts ?? 0;
  return n === 0 ? '' : `${n} restart${n === 1 ? '' : 's'}`;
}

/**
 * A group node's `[field, text]` pairs, in display order (an empty text is hidden): its id,
 * its path when nested (`agent-1/mcp`; a top-level group's path is its id), its state, its
 * strategy, its restarts and its intensity.
 */
export function groupFields(node) {
  return [
    ['id', node.id],
    ['path', node.path === node.id ? '' : node.path],
    ['state', node.state],
    ['strategy', node.strategy],
    ['restarts', groupRestartsText(node)],
    ['intensity', intensityText(node)],
  ];
}
