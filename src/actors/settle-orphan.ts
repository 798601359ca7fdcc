// Carries out a boot decision on a run restored into `orphaned`. Resolves once it settled:
// watched again, or finalized and its final record written.
import type { ProcessHandle } from '../os/process-handle.js';
import type { ProcessIdentity } from '../os/process-identity.js';
import type { RunErrorInfo } from '../types.js';
import type { OrphanDecision } from './decide-orphan.js';
import type { RunController } from './run-controller.js';

export async function settleOrphan(
  run: RunController,
  decision: OrphanDecision,
  root: ProcessIdentity | null,
  at: number,
  /** A durable run's handle through its host: its output and exit come through it. */
  hosted: ProcessHandle | null,
  /** Recorded in the exit when the reason alone does not say why (an unspeakable host). */
  why: RunErrorInfo | null = null,
): Promise<void> {
  const error = why === null ? {} : { error: why };
  if (run.state !== 'orphaned') run.send({ type: 'ORPHANED', at });
  // A hosted run is followed through its host even when no identity was ever read.
  if (decision === 'reattach' && (root !== null || hosted !== null)) {
    run.send({ type: 'REATTACH', identity: root, at });
    if (hosted === null) run.watchLiveness();
    else run.attachProcess(hosted);
  } else if (decision === 'kill') {
    run.send({ type: 'CANCEL', reason: 'orphan-killed', at, ...error });
    if (hosted !== null) run.attachProcess(hosted);
    await run.exited;
  } else if (decision === 'lost') {
    run.send({ type: 'LOST', at, ...error });
    await run.exited;
  }
  // `uncertain`: it stays orphaned, reported, and is never signalled on faith.
  await run.flushJournal();
}
