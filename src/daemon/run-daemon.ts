// The daemon: the reference embedding of the library. It boots a supervisor (reconciling
// orphans), serves the control API, logs JSON lines, and shuts down on SIGTERM/SIGINT.
import { pino } from 'pino';
import { createSupervisor } from '../create-supervisor.js';
import type { ShutdownRuns } from '../machines/supervisor-machine.js';
import { resolveHome } from '../persistence/home-dir.js';
import type { OrphanPolicy } from '../types.js';
import { startControlServer, stopControlServer } from './control-server.js';
import { socketPathFor } from './socket-path.js';

/** Options of `runwarden daemon`. */
export interface DaemonOptions {
  readonly home?: string;
  readonly store?: string;
  readonly name?: string;
  readonly onOrphan?: OrphanPolicy;
  readonly onShutdown?: ShutdownRuns;
  /** Called once the socket is listening (the CLI prints the reconcile report). */
  readonly onReady?: (ready: { socketPath: string; report: unknown }) => void;
}

/** Runs until SIGTERM or SIGINT; resolves after a graceful shutdown. */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const logger = pino(
    { name: 'runwarden', level: process.env.RUNWARDEN_LOG_LEVEL ?? 'info' },
    pino.destination(2),
  );
  const home = resolveHome(options.home);
  const name = options.name ?? 'default';
  const sup = await createSupervisor({
    home,
    name,
    logger,
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.onOrphan === undefined ? {} : { onOrphan: options.onOrphan }),
  });
  const socketPath = socketPathFor(home, name);
  const server = await startControlServer(
    sup,
    { home, socketPath, store: options.store ?? 'sqlite (default)' },
    logger,
  );
  logger.info({ socketPath, pid: process.pid }, 'daemon listening');
  options.onReady?.({ socketPath, report: sup.lastReconcile });

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => {
      resolve('SIGTERM');
    });
    process.once('SIGINT', () => {
      resolve('SIGINT');
    });
  });
  const runs = options.onShutdown ?? 'kill';
  logger.info({ signal, runs }, 'daemon shutting down');
  await stopControlServer(server, socketPath);
  await sup.shutdown({ runs });
  logger.info({}, 'daemon stopped');
  logger.flush();
}
