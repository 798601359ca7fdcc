// `runwarden daemon --http`: the dashboard's HTTP server, on loopback only. Every request
// passes three gates before any route: the Host header names this server (a DNS-rebinding
// page cannot reach it under another name), the token matches (constant time), and a
// state-changing request carries no foreign Origin.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../support/logger.js';
import type { Supervisor } from '../runtime/supervisor.js';
import { ApiError, toErrorResponse } from '../http/api-error.js';
import type { DaemonInfo } from '../daemon/control-routes.js';
import { send } from '../http/send.js';
import { routeDashboardRequest } from './dashboard-routes.js';
import { tokenMatches } from './dashboard-token.js';
import { formatHostPort, type ListenAddress } from './listen-address.js';
import { presentedToken, sessionCookie, sessionCookieName } from './request-token.js';

export interface DashboardOptions {
  readonly address: ListenAddress;
  readonly token: string;
  readonly info: DaemonInfo;
  readonly logger: Logger;
}

/** A listening dashboard. */
export interface Dashboard {
  /** `http://host:port/`, without the token. */
  readonly url: string;
  /** Stops listening and closes every connection (event streams included). */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
};

/** Starts the dashboard for `sup`; resolves once it listens. */
export async function startDashboard(
  sup: Supervisor,
  options: DashboardOptions,
): Promise<Dashboard> {
  const { address, token, logger } = options;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hosts = [formatHostPort(address.host, port), `localhost:${port}`];
  const gate: Gate = {
    origin: `http://${formatHostPort(address.host, port)}`,
    hosts: new Set(hosts),
    origins: new Set(hosts.map((host) => `http://${host}`)),
    cookieName: sessionCookieName(port),
  };
  // Attached in the same tick as `listen` resolved: no request can have been read yet.
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', gate.origin);
    serve(sup, options.info, gate, token, request, response, url).catch((error: unknown) => {
      const { status, body } = toErrorResponse(error);
      // The path only: a query may hold the token, which is never logged.
      const where = { path: url.pathname, status, code: body.error.code };
      if (status >= 500) logger.error({ ...where, err: error }, 'dashboard request failed');
      else logger.debug(where, 'dashboard request refused');
      if (response.headersSent) response.end();
      else {
        if (status === 401) response.setHeader('www-authenticate', 'Bearer realm="runwarden"');
        send(response, status, body);
      }
    });
  });
  return {
    url: `${gate.origin}/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

interface Gate {
  readonly origin: string;
  readonly hosts: ReadonlySet<string>;
  readonly origins: ReadonlySet<string>;
  readonly cookieName: string;
}

async function serve(
  sup: Supervisor,
  info: DaemonInfo,
  gate: Gate,
  token: string,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  if (!gate.hosts.has(request.headers.host ?? ''))
    throw new ApiError(403, 'E_FORBIDDEN_HOST', 'the dashboard answers only to its own address');
  const presented = presentedToken(request, url, gate.cookieName);
  if (presented === null || !tokenMatches(presented.token, token))
    throw new ApiError(
      401,
      'E_UNAUTHORIZED',
      'a valid dashboard token is required: open the URL `runwarden daemon --http` printed, or send Authorization: Bearer <token>',
    );
  const origin = request.headers.origin;
  if (request.method !== 'GET' && origin !== undefined && !gate.origins.has(origin))
    throw new ApiError(403, 'E_FORBIDDEN_ORIGIN', `requests from ${origin} are refused`);
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
  if (presented.via === 'query') {
    // Trade the token in the address for the cookie, and drop it from the address bar.
    response.writeHead(303, {
      location: '/',
      'set-cookie': sessionCookie(gate.cookieName, token),
    });
    response.end();
    return;
  }
  await routeDashboardRequest(sup, info, request, response, url);
}
