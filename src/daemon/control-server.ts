// The daemon's control server: HTTP/JSON on a Unix socket in the home directory, mode 0600
// (and the home itself is 0700, so no other user can reach it even before the chmod).
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Supervisor } from '../runtime/supervisor.js';
import type { Logger } from '../support/logger.js';
import { toErrorResponse } from '../http/api-error.js';
import { routeRequest, type DaemonInfo } from './control-routes.js';
import { send } from '../http/send.js';

/** Starts serving `sup` on `info.socketPath`. Resolves once listening. */
export async function startControlServer(
  sup: Supervisor,
  info: DaemonInfo,
  logger: Logger,
): Promise<Server> {
  // We hold the owner lease for this name, so a socket left here is a dead daemon's.
  if (existsSync(info.socketPath)) unlinkSync(info.socketPath);
  const server = createServer((request, response) => {
    routeRequest(sup, info, request, response).catch((error: unknown) => {
      const { status, body } = toErrorResponse(error);
      if (status >= 500) logger.error({ err: error, url: request.url }, 'control request failed');
      else
        logger.debug(
          { url: request.url, status, code: body.error.code },
          'control request refused',
        );
      if (!response.headersSent) send(response, status, body);
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(info.socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(info.socketPath, 0o600);
  return server;
}

/** Stops accepting requests and closes open connections (followers included). */
export async function stopControlServer(server: Server, socketPath: string): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (existsSync(socketPath)) unlinkSync(socketPath);
}
