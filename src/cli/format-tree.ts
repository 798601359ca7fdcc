// Human output of `ls --tree`: the supervision tree, one line per actor, indented as the
// actor system nests them (the supervisor, its runs, then its groups, each group's children
// in start order). The command line comes from the run list when the run is in it.
import type {
  GroupTreeNode,
  RunTreeNode,
  SupervisorTree,
  TreeNode,
} from '../runtime/supervisor-tree.js';
import type { RunInfo } from '../types.js';
import { countOf, formatDuration } from './format-run.js';

/**
 * `supervisor default (active, store ok)`, then a line per group and run below it:
 * `└─ group agent-1 (one-for-all, active, 1 restart of at most 5 in 1m)`,
 * `   ├─ run ID (running, pid 4242, 0 restarts) node mcp.js`.
 */
export function formatTree(tree: SupervisorTree, runs: ReadonlyMap<string, RunInfo>): string {
  const lines = [`supervisor ${tree.name} (${tree.state}, store ${tree.storeHealth})`];
  addChildren(lines, tree.children, '', runs);
  return lines.join('\n');
}

function addChildren(
  lines: string[],
  children: readonly TreeNode[],
  indent: string,
  runs: ReadonlyMap<string, RunInfo>,
): void {
  children.forEach((child, index) => {
    const last = index === children.length - 1;
    const line =
      child.kind === 'run' ? formatRunNode(child, runs.get(child.id)) : formatGroup(child);
    lines.push(`${indent}${last ? '└─ ' : '├─ '}${line}`);
    if (child.kind === 'group')
      addChildren(lines, child.children, `${indent}${last ? '   ' : '│  '}`, runs);
  });
}

function formatGroup(group: GroupTreeNode): string {
  const intensity = `${countOf(group.restarts, 'restart')} of at most ${group.maxRestarts} in ${formatDuration(group.restartWindowMs)}`;
  return `group ${group.path} (${group.strategy}, ${group.state}, ${intensity})`;
}

// A run between generations (in backoff, or held by its group) names its last pid, now dead.
function formatRunNode(node: RunTreeNode, info: RunInfo | undefined): string {
  const between = node.state === 'backoff' || node.state === 'held';
  const notes: string[] = [
    node.state,
    node.pid === null ? 'no pid' : `${between ? 'last pid' : 'pid'} ${node.pid}`,
  ];
  notes.push(countOf(node.restarts, 'restart'));
  const command = info === undefined ? node.command : [info.command, ...info.args].join(' ');
  return `run ${node.id} (${notes.join(', ')}) ${command.slice(0, 60)}`;
}
