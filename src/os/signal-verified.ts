// Sends a signal only to the process an identity names, re-checked immediately before.
import { inspectIdentity, type IdentityCheck, type ProcessIdentity } from './process-identity.js';

/** What happened to one signal. */
export type SignalOutcome =
  /** `stopped`: the process was stopped when re-checked, so it acts on nothing but SIGKILL
   * until it gets SIGCONT. */
  | { readonly kind: 'sent'; readonly stopped: boolean }
  | { readonly kind: 'skipped'; readonly check: Exclude<IdentityCheck, 'alive'> }
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

/**
 * Re-checks `identity` and signals its pid only if it still names the same live process.
 * The window between the check and `kill()` is a few microseconds; Node offers no pidfd.
 */
export function signalVerified(identity: ProcessIdentity, signal: NodeJS.Signals): SignalOutcome {
  const { check, stopped } = inspectIdentity(identity);
  if (check !== 'alive') return { kind: 'skipped', check };
  try {
    process.kill(identity.pid, signal);
    return { kind: 'sent', stopped };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
    // ESRCH: it died between the check and the signal, which is what we wanted.
    if (code === 'ESRCH') return { kind: 'skipped', check: 'exited' };
    return { kind: 'failed', code, message: (error as Error).message };
  }
}
