// `--http HOST:PORT`: the dashboard listens on loopback only. Anything else is refused
// before the daemon boots: the page can cancel runs, so it must never face a network.
import { isIPv4 } from 'node:net';
import { InvalidOptionError } from '../errors.js';

/** Where the dashboard listens. Port 0 picks a free port. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

const EXPECTED =
  'a loopback address and port, such as 127.0.0.1:8080, [::1]:8080 or localhost:8080 (port 0 picks a free one)';

/** Parses `127.0.0.1:8080`, `[::1]:8080` or `localhost:8080`. Throws InvalidOptionError. */
export function parseListenAddress(value: string, option = '--http'): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  const host = match?.[1] ?? match?.[2];
  if (host === undefined || !Number.isInteger(port) || port > 65535)
    throw new InvalidOptionError(option, value, EXPECTED);
  // `localhost` is pinned to 127.0.0.1 rather than resolved: a resolver could say otherwise.
  if (host === 'localhost') return { host: '127.0.0.1', port };
  if (host === '::1' || (isIPv4(host) && host.startsWith('127.'))) return { host, port };
  throw new InvalidOptionError(option, value, EXPECTED);
}

/** `host:port` as it appears in a URL and a Host header (IPv6 in brackets). */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
