// Where a supervisor's run host keeps its socket, identity, log and the runs' output.
import { join } from 'node:path';

/** The run host of supervisor `name` in `home`. */
export interface RunHostPaths {
  readonly socket: string;
  /** JSON identity of the live host (pid, start ticks), 0600. */
  readonly identity: string;
  /** The host's own JSON log, 0600. */
  readonly log: string;
  /** One directory per durable run: its output segments and its exit. */
  readonly runsDir: string;
}

export function runHostPaths(home: string, name: string): RunHostPaths {
  return {
    socket: join(home, `${name}.host.sock`),
    identity: join(home, `${name}.host.json`),
    log: join(home, `${name}.host.log`),
    runsDir: join(home, `${name}.runs`),
  };
}

/** The directory holding one durable run's output log and exit record. */
export function runDirFor(paths: RunHostPaths, runId: string): string {
  return join(paths.runsDir, runId);
}
