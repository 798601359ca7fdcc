// Writes a JSON response: the one way runwarden's HTTP servers answer.
import type { ServerResponse } from 'node:http';

/** Writes a JSON response (or an empty one for 204). */
export function send(response: ServerResponse, status: number, body: unknown): void {
  if (status === 204) {
    response.writeHead(204).end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
