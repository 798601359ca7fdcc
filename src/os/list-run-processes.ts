// Public view of the marker sweep: every live process that carries a runwarden run marker.
import { RUN_MARKER } from '../options/run-spec.js';
import { findMarkedProcesses } from './find-marked-processes.js';
import { readEnvironValue } from './proc-fs.js';

/** A live process started by some runwarden run (or one of its descendants). */
export interface RunProcess {
  readonly runId: string;
  /** The supervisor name that started the run, if the process still carries it. */
  readonly supervisor: string | null;
  readonly pid: number;
  readonly command: string;
}

/** Lists live processes carrying `RUNWARDEN_RUN_ID`, optionally of one supervisor name. */
export function listRunProcesses(options: { supervisor?: string } = {}): RunProcess[] {
  return findMarkedProcesses(RUN_MARKER)
    .found.map((found) => {
      const tag = readEnvironValue(found.identity.pid, 'RUNWARDEN_SUPERVISOR');
      return {
        runId: found.value,
        supervisor: typeof tag === 'object' ? tag.value : null,
        pid: found.identity.pid,
        command: found.comm,
      };
    })
    .filter((p) => options.supervisor === undefined || p.supervisor === options.supervisor)
    .sort((a, b) => a.pid - b.pid);
}
