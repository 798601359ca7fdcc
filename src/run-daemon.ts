// The daemon: the reference embedding of the library. It boots a supervisor (reconciling
// orphans), serves the control API, logs JSON lines, and shuts down on SIGTERM/SIGINT.
import { pino } from 'pino';
import { createSupervisor } from './create-supervisor.js';
import type { ShutdownRuns } from './machines/supervisor-machine.js';
import { redactCredentials } from './errors.js';
import { resolveHome } from './persistence/home-dir.js';
import type { OrphanPolicy } from './types.js';
import { startControlServer, stopControlServer } from './daemon/control-server.js';
import { socketPathFor } from './daemon/socket-path.js';
import { startDaemonDashboard, type DaemonDashboard } from './dashboard/start-daemon-dashboard.js';
import { parseListenAddress } from './dashboard/listen-address.js';

/** Options of `runwarden daemon`. */
export interface DaemonOptions {
  readonly home?: string;
  readonly store?: string;
  readonly name?: string;
  readonly onOrphan?: OrphanPolicy;
  readonly onShutdown?: ShutdownRuns;
  /** Spawns beyond this many live runs are refused (429 `E_MAX_LIVE_RUNS`). Default 512. */
  readonly maxLiveRuns?: number;
  /** @internal Tests only: the run host protocol this daemon plays (another version's). */
  readonly hostProtocol?: number;
  /** `HOST:PORT` (loopback only) to serve the dashboard on; none by default. */
  readonly http?: string;
  /**
   * Called once the socket (and the dashboard) listen. The CLI prints the reconcile report,
   * and the dashboard's address with its token: the only place the token is ever shown.
   */
  readonly onReady?: (ready: {
    socketPath: string;
    report: unknown;
    dashboard: DaemonDashboard | null;
  }) => void;
}

/** Runs until SIGTERM or SIGINT; resolves after a graceful shutdown. */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  const logger = pino(
    { name: 'runwarden', level: process.env.RUNWARDEN_LOG_LEVEL ?? 'info' },
    pino.destination(2),
  );
  const home = resolveHome(options.home);
  const name = options.name ?? 'default';
  // A bad address is refused before anything boots.
  const address = options.http === undefined ? null : parseListenAddress(options.http);
  const sup = await createSupervisor({
    home,
    name,
    logger,
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.hostProtocol === undefined ? {} : { hostProtocol: options.hostProtocol }),
    ...(options.onOrphan === undefined ? {} : { onOrphan: options.onOrphan }),
    ...(options.maxLiveRuns === undefined ? {} : { limits: { maxLiveRuns: options.maxLiveRuns } }),
  });
  const socketPath = socketPathFor(home, name);
  const store = options.store === undefined ? 'sqlite (default)' : redactCredentials(options.store);
  const info = { home, socketPath, store };
  // One stop request wins, as the supervisor machine decides (a SHUTDOWN is taken only while
  // active): SIGTERM/SIGINT with --on-shutdown's policy, or `runwarden stop` with its own.
  // Later ones are logged and never cut the drain short; each is told the policy in force.
  const defaultRuns = options.onShutdown ?? 'kill';
  let requestStop: (why: string, runs: ShutdownRuns) => ShutdownRuns = (_, runs) => runs;
  const stopped = new Promise<void>((resolve, reject) => {
    requestStop = (why, runs) => {
      if (sup.state === 'active') {
        logger.info({ why, runs }, 'daemon shutting down');
        sup.shutdown({ runs }).then(resolve, reject);
      } else logger.warn({ why }, 'already shutting down; waiting for the runs');
      return sup.shutdownRuns ?? runs;
    };
  });
  const server = await startControlServer(
    sup,
    { ...info, requestStop: (runs) => requestStop('runwarden stop', runs ?? defaultRuns) },
    logger,
  );
  let dashboard: DaemonDashboard | null = null;
  try {
    if (address !== null) dashboard = await startDaemonDashboard(sup, address, info, name, logger);
  } catch (error) {
    // The port may be taken: stop what started, so the process can exit with the error.
    await stopControlServer(server, socketPath);
    await sup.shutdown({ runs: 'kill' });
    throw error;
  }
  // Listen before saying we are ready: a SIGTERM sent the moment the ready line is read
  // must shut down gracefully, not kill the process by the signal's default action. The
  // listeners stay for the whole drain.
  const onSignal = (signal: NodeJS.Signals) => {
    requestStop(signal, defaultRuns);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  logger.info({ socketPath, pid: process.pid }, 'daemon listening');
  options.onReady?.({ socketPath, report: sup.lastReconcile, dashboard });

  try {
    // The socket stays open while the runs drain: clients get 503 `E_SUPERVISOR_STOPPED`
    // (not "no daemon"), and followers see their runs end.
    await stopped;
  } finally {
    await dashboard?.close();
    await stopControlServer(server, socketPath);
  }
  logger.info({}, 'daemon stopped');
  logger.flush();
}
