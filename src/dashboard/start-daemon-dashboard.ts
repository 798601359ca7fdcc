// The daemon's dashboard: a fresh token (written 0600 in the home), then the server on the
// loopback address. The token is handed to the caller to print once, and never logged.
import type { Logger } from '../support/logger.js';
import type { Supervisor } from '../runtime/supervisor.js';
import { issueDashboardToken, removeDashboardToken } from './dashboard-token.js';
import { startDashboard } from './dashboard-server.js';
import type { ListenAddress } from './listen-address.js';
import type { DaemonInfo } from '../daemon/control-routes.js';

/** A running dashboard, as the daemon reports it. */
export interface DaemonDashboard {
  /** `http://127.0.0.1:PORT/`, without the token. */
  readonly url: string;
  readonly token: string;
  /** The 0600 file that holds the token while the daemon runs. */
  readonly tokenFile: string;
  /** Stops serving and deletes the token file. */
  close(): Promise<void>;
}

export async function startDaemonDashboard(
  sup: Supervisor,
  address: ListenAddress,
  info: DaemonInfo,
  name: string,
  logger: Logger,
): Promise<DaemonDashboard> {
  const { token, path } = issueDashboardToken(info.home, name);
  try {
    const dashboard = await startDashboard(sup, { address, token, info, logger });
    logger.info({ url: dashboard.url, tokenFile: path }, 'dashboard listening');
    return {
      url: dashboard.url,
      token,
      tokenFile: path,
      close: async () => {
        await dashboard.close();
        removeDashboardToken(path);
      },
    };
  } catch (error) {
    removeDashboardToken(path);
    throw error;
  }
}
