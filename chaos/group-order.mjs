// The order a group cancel stopped its runs in, held against their start order: the last
// started first, a nested group's subtree at the place the nested group was started, each
// run once, every run of the subtree signalled (members log each SIGTERM, one line a stop).

/** The runs of a group node of `sup.tree()`, in start order (nested groups in place). */
export function subtreeRuns(node) {
  if (node === undefined) return [];
  return node.children.flatMap((child) => (child.kind === 'run' ? [child.id] : subtreeRuns(child)));
}

/**
 * Problems of the cancel of the group at `path`, whose runs were started in `order` (each
 * with a live process when it was sent), from the stop lines its members logged while it
 * ran (`<run id> <generation> <time>`) and the exits it answered.
 */
export function cancelOrderProblems(path, order, lines, exits) {
  const problems = [];
  const started = new Map(order.map((id, index) => [id, index]));
  const stops = lines.map((line) => line.split(' ')[0]);
  const shown = `stops ${stops.join(', ') || '(none)'}; start order ${order.join(', ') || '(none)'}`;
  const seen = new Set();
  let previous = null;
  for (const id of stops) {
    const index = started.get(id);
    if (index === undefined) {
      problems.push(`cancelling group ${path} signalled run ${id}, not of its subtree: ${shown}`);
      continue;
    }
    if (seen.has(id)) problems.push(`cancelling group ${path} signalled run ${id} twice: ${shown}`);
    else if (previous !== null && index > (started.get(previous) ?? -1)) {
      problems.push(
        `cancelling group ${path} stopped run ${id} after ${previous}, started before it ` +
          `(not in reverse start order): ${shown}`,
      );
    }
    seen.add(id);
    previous = id;
  }
  const unsignalled = order.filter((id) => !seen.has(id));
  if (unsignalled.length > 0) {
    problems.push(
      `cancelling group ${path} ended ${unsignalled.join(', ')} without a SIGTERM: ${shown}`,
    );
  }
  const reasons = exits.map((exit) => exit.reason);
  if (reasons.length !== order.length || reasons.some((reason) => reason !== 'cancelled')) {
    problems.push(
      `cancelling group ${path} answered exits ${JSON.stringify(reasons)} ` +
        `for ${order.length} running run(s)`,
    );
  }
  return problems;
}
