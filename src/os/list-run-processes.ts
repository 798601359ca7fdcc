// Public view of the marker sweep: every live process that carries a runwarden run marker.
import { RUN_MARKER } from './run-marker.js';
import { findMarkedProcesses } from './find-marked-processes.js';
import { processTable } from './process-table.js';

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
  const found = findMarkedProcesses(RUN_MARKER).found;
  const tags = processTable().environValues(
    found.map((p) => p.identity.pid),
    'RUNWARDEN_SUPERVISOR',
  );
  return found
    .map((found) => {
      const tag = tags.get(found.identity.pid);
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
