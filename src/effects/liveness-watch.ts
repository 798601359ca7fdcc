// For a reattached orphan (no handle): re-checks the root's identity on an interval and
// reports its end once. Uncertain (an unreadable table, say) is not an end.
import { checkIdentity, type ProcessIdentity } from '../os/process-identity.js';

export class LivenessWatch {
  private timer: NodeJS.Timeout | null = null;

  /** Starts watching `identity`; `onGone` is called once when it exited or was replaced. */
  start(identity: ProcessIdentity, onGone: () => void, intervalMs = 250): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      const check = checkIdentity(identity);
      if (check === 'alive' || check === 'uncertain') return;
      this.stop();
      onGone();
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
