// One loop drives every tree termination of this process. Each round, every termination
// first prunes its verified-dead members, then ONE scan of the process table serves all
// that need one: a boot ending 500 orphans pays for a scan per round, not 500 (a scan
// reads a file or two per process on the machine). Signals are still sent member by
// member, each after re-checking that member's identity.
import { setTimeout as sleep } from 'node:timers/promises';
import { collectRunTrees } from './collect-run-tree.js';
import type { TerminationReport, TreeTermination } from './terminate-run-tree.js';

interface Entry {
  readonly termination: TreeTermination;
  readonly resolve: (report: TerminationReport) => void;
  readonly reject: (error: unknown) => void;
}

const entries = new Set<Entry>();
let running = false;
let wake: AbortController | null = null;

/** Adds `termination` to the loop; resolves with its report once it is done. */
export function runInTerminationLoop(termination: TreeTermination): Promise<TerminationReport> {
  return new Promise((resolve, reject) => {
    entries.add({ termination, resolve, reject });
    if (running)
      wake?.abort(); // its first scan is due now, not after the current poll
    else void loop();
  });
}

async function loop(): Promise<void> {
  running = true;
  // Terminations started in the same turn (a boot's orphans) join before the first scan.
  await new Promise((resolve) => setImmediate(resolve));
  try {
    while (entries.size > 0) {
      step();
      if (entries.size === 0) break;
      if ([...entries].some((entry) => entry.termination.immediate)) continue;
      await pause();
    }
  } catch (error) {
    // A scan that fails (an unreadable process table) fails every termination waiting on it.
    for (const entry of entries) entry.reject(error);
    entries.clear();
  } finally {
    running = false;
  }
}

// One round: prune and advance each termination, one shared scan, hand out the trees.
function step(): void {
  const now = Date.now();
  const scanning: Entry[] = [];
  for (const entry of entries) {
    if (entry.termination.prepare(now)) scanning.push(entry);
  }
  if (scanning.length > 0) {
    const trees = collectRunTrees(scanning.map((entry) => entry.termination.options.query));
    const at = Date.now();
    scanning.forEach((entry, index) => {
      const tree = trees[index];
      if (tree !== undefined) entry.termination.consume(tree, at);
    });
  }
  // Terminations done in the same round are reported in reverse order of their start (the
  // order among them is otherwise arbitrary: they ended together). Runs killed together, as
  // a boot's orphans are, then leave the supervisor's children map from its newest end,
  // which V8 copies about four times faster than a map whose oldest keys are deleted
  // (bench/findings.md, figure 4). Only speed depends on this order, never correctness.
  const done = [...entries].filter((entry) => entry.termination.done);
  for (const entry of done.reverse()) {
    entries.delete(entry);
    try {
      entry.resolve(entry.termination.report());
    } catch (error) {
      entry.reject(error);
    }
  }
}

// Waits for the earliest next step of any termination, or until a new one arrives.
async function pause(): Promise<void> {
  const now = Date.now();
  const ms = Math.min(...[...entries].map((entry) => entry.termination.waitMs(now)));
  wake = new AbortController();
  try {
    await sleep(ms, undefined, { signal: wake.signal });
  } catch {
    // woken early: a termination was added
  } finally {
    wake = null;
  }
}
