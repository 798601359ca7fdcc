// The dashboard's routes, behind the token (dashboard-server.ts checks it first): the page
// and its assets, the live event stream, the charts, and every control API route, served
// by the same handlers as the CLI's Unix socket.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Supervisor } from '../runtime/supervisor.js';
import {
  CHART_FORMATS,
  CHARTED_MACHINES,
  generateChart,
  type ChartFormat,
  type ChartedMachine,
} from '../charts/generate-chart.js';
import { ApiError } from '../http/api-error.js';
import { routeRequest, type DaemonInfo } from '../daemon/control-routes.js';
import { streamEvents } from './event-stream.js';
import { readAsset } from './static-assets.js';

const CHART_TYPES: Record<ChartFormat, string> = {
  mermaid: 'text/plain; charset=utf-8',
  scxml: 'application/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
};
// The machines cannot change while the daemon runs: each chart is generated once.
const charts = new Map<string, Promise<string>>();

/** Serves one authorized dashboard request. Throws ApiError (or a library error). */
export async function routeDashboardRequest(
  sup: Supervisor,
  info: DaemonInfo,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  const path = url.pathname;
  const get = request.method === 'GET';
  if (get && path === '/') {
    sendAsset(response, 'index.html');
    return;
  }
  if (get && path.startsWith('/assets/')) {
    sendAsset(response, path.slice('/assets/'.length));
    return;
  }
  if (get && path === '/v1/events') {
    streamEvents(sup, request, response);
    return;
  }
  const chart = /^\/v1\/charts\/([a-z]+)$/.exec(path)?.[1];
  if (get && chart !== undefined) {
    await sendChart(response, chart, url.searchParams.get('format') ?? 'svg');
    return;
  }
  if (path.startsWith('/v1/')) {
    await routeRequest(sup, info, request, response);
    return;
  }
  throw new ApiError(404, 'E_NO_ROUTE', `no such route: ${request.method ?? 'GET'} ${path}`);
}

function sendAsset(response: ServerResponse, name: string): void {
  const asset = readAsset(name);
  if (asset === undefined) throw new ApiError(404, 'E_NO_ROUTE', `no such asset: ${name}`);
  response.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length });
  response.end(asset.body);
}

async function sendChart(response: ServerResponse, machine: string, format: string) {
  if (!Object.hasOwn(CHARTED_MACHINES, machine) || !Object.hasOwn(CHART_FORMATS, format))
    throw new ApiError(404, 'E_NO_CHART', `no chart of machine ${machine} in format ${format}`);
  const key = `${machine}.${format}`;
  let text = charts.get(key);
  if (text === undefined) {
    text = generateChart(machine as ChartedMachine, format as ChartFormat);
    charts.set(key, text);
  }
  const body = Buffer.from(await text);
  response.writeHead(200, {
    'content-type': CHART_TYPES[format as ChartFormat],
    'content-length': body.length,
  });
  response.end(body);
}
