// The CLI's only way to the daemon: HTTP/JSON requests on its Unix socket.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { CliError, DaemonUnreachableError } from './cli-error.js';

/** A client for one daemon socket. */
export class ControlClient {
  constructor(
    readonly socketPath: string,
    private readonly home: string,
  ) {}

  /** Sends a request; resolves the parsed JSON body, throws CliError for API errors. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.open(method, path, body);
    const text = await readAll(response);
    const status = response.statusCode ?? 0;
    const parsed = text === '' ? null : (JSON.parse(text) as unknown);
    if (status >= 400) {
      const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      throw new CliError(`${error?.message ?? `HTTP ${status}`} (${error?.code ?? 'E_HTTP'})`, 1);
    }
    return parsed as T;
  }

  /** Opens a streaming request (for `logs --follow`). */
  open(method: string, path: string, body?: unknown): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          socketPath: this.socketPath,
          method,
          path,
          headers:
            payload === undefined
              ? {}
              : {
                  'content-type': 'application/json',
                  'content-length': Buffer.byteLength(payload),
                },
        },
        resolve,
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT' || error.code === 'ECONNREFUSED'
            ? new DaemonUnreachableError(
                `the runwarden daemon is not running (no daemon on ${this.socketPath}); start it with: runwarden daemon --home ${this.home}`,
              )
            : error,
        );
      });
      req.end(payload);
    });
  }
}

async function readAll(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
