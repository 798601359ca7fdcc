// One raw HTTP request on a Unix socket, for tests that send what no client would: any
// method, any path, any bytes as the body. Resolves the status and the body text.
import { request } from 'node:http';

export interface RawAnswer {
  readonly status: number;
  readonly text: string;
}

export function rawRequest(
  socketPath: string,
  method: string,
  path: string,
  body?: Buffer,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: body === undefined ? {} : { 'content-length': body.length },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A JSON request on the control socket: the status and the parsed body (null if empty). */
export async function callJson(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const answer = await rawRequest(socketPath, method, path, payload);
  return {
    status: answer.status,
    body: answer.text === '' ? null : (JSON.parse(answer.text) as unknown),
  };
}
