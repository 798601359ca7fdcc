// A live process to name as the holder of an owner lease: boot must refuse the lease while
// it lives, and may take it once it is verified dead.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readIdentity, type ProcessIdentity } from '../../src/os/process-identity.js';

export interface LeaseHolder {
  readonly pid: number;
  /** Read from the process table once it runs. */
  readonly identity: ProcessIdentity;
  /** Ends it (our own child, by its handle) and waits for its exit. */
  readonly end: () => Promise<void>;
}

/** Starts the holder; `cleanups` gets its end, for a test that fails before ending it. */
export async function startLeaseHolder(cleanups: Array<() => unknown>): Promise<LeaseHolder> {
  const holder = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = once(holder, 'exit');
  const end = async () => {
    if (holder.exitCode === null && holder.signalCode === null) holder.kill('SIGKILL');
    await exited;
  };
  cleanups.push(end);
  await once(holder, 'spawn');
  const identity = readIdentity(holder.pid ?? -1);
  if (identity === undefined) throw new Error('the lease holder is not running');
  return { pid: identity.pid, identity, end };
}
