// How a request presents the dashboard token: an `Authorization: Bearer` header (scripts),
// the session cookie (the page), or `?token=` on the first page load only, which the
// server answers with the cookie and a redirect that drops the token from the address.
import type { IncomingMessage } from 'node:http';

export type TokenSource = 'header' | 'cookie' | 'query';

/** The token a request presents and how, or null. */
export function presentedToken(
  request: IncomingMessage,
  url: URL,
  cookieName: string,
): { token: string; via: TokenSource } | null {
  const authorization = request.headers.authorization;
  const bearer = authorization === undefined ? null : /^Bearer (\S+)$/i.exec(authorization);
  if (bearer?.[1] !== undefined) return { token: bearer[1], via: 'header' };
  const cookie = readCookie(request.headers.cookie, cookieName);
  if (cookie !== null) return { token: cookie, via: 'cookie' };
  const query = url.searchParams.get('token');
  if (query !== null && url.pathname === '/' && request.method === 'GET')
    return { token: query, via: 'query' };
  return null;
}

/**
 * The session cookie. Cookies are not separated by port, so its name carries the port:
 * two dashboards on one host do not overwrite each other's.
 */
export function sessionCookieName(port: number): string {
  return `runwarden_dashboard_${port}`;
}

/** `Set-Cookie` value: HttpOnly (scripts never see it), SameSite=Strict (no cross-site use). */
export function sessionCookie(name: string, token: string): string {
  return `${name}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return null;
}
