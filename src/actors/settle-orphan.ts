// Carries out a boot decision on a run restored into `orphaned`. Resolves once it settled:
// watched again, or finalized and its final record written.
import type { ProcessIdentity } from '../os/process-identity.js';
import type { OrphanDecision } from './decide-orphan.js';
import type { RunController } from './run-controller.js';

export async function settleOrphan(
  run: RunController,
  decision: OrphanDecision,
  root: ProcessIdentity | null,
  at: number,
): Promise<void> {
  if (run.state !== 'orphaned') run.send({ type: 'ORPHANED', at });
  if (decision === 'reattach' && root !== null) {
    run.send({ type: 'REATTACH', identity: root, at });
    run.watchLiveness();
  } else if (decision === 'kill') {
    run.send({ type: 'CANCEL', reason: 'orphan-killed', at });
    await run.exited;
  } else if (decision === 'lost') {
    run.send({ type: 'LOST', at });
    await run.exited;
  }
  // `uncertain`: it stays orphaned, reported, and is never signalled on faith.
  await run.flushJournal();
}
