// A supervisor's client for its run host: HTTP/JSON on the host's Unix socket.
import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { RunwardenError, SpawnError } from '../../errors.js';
import {
  HOST_PROTOCOL_VERSION,
  PROTOCOL_HEADER,
  type HostedRunStatus,
  type HostSpawnRequest,
  type RunHostStatus,
} from '../host-protocol.js';
import type { ProcessIdentity } from '../../os/process-identity.js';

/** The host could not be reached or answered with an error. */
export class RunHostError extends RunwardenError {
  constructor(
    code: string,
    message: string,
    readonly status: number | null = null,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
  }
}

// The request never reached a host: none listens, or the one that did had closed the
// kept-alive connection (EPIPE on write). A reset after the request was sent (ECONNRESET)
// is not among them: the host may have acted on it before it died.
const HOST_DOWN_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EPIPE']);

/** The host speaks a protocol this supervisor cannot (an older or a newer runwarden's). */
export class RunHostProtocolError extends RunHostError {
  constructor(
    /** What the host answered (a number, or the JSON of whatever else it said). */
    readonly hostProtocol: number | string,
    readonly supervisorProtocol: number,
    socketPath: string,
    /** The host, verified alive when it answered: its frozen routes still serve. */
    readonly host: ProcessIdentity,
  ) {
    super(
      'E_RUN_HOST_PROTOCOL',
      `run host speaks protocol ${hostProtocol}, this supervisor ${supervisorProtocol} (${socketPath})`,
    );
  }
}

export class RunHostClient {
  // Kept-alive sockets are unref'd by Node while idle: the client never holds a host open.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });

  constructor(
    readonly socketPath: string,
    /**
     * The protocol requests are written in, stated on each (frozen: the host refuses one it
     * cannot speak). The supervisor's own until the link agrees on the host's (`speak`).
     */
    private written: number = HOST_PROTOCOL_VERSION,
  ) {}

  /** The protocol this client's requests are written in (and state). */
  get protocol(): number {
    return this.written;
  }

  /** Writes every later request in `protocol`: the one agreed with the host. */
  speak(protocol: number): void {
    this.written = protocol;
  }

  status(): Promise<RunHostStatus> {
    return this.json<RunHostStatus>('GET', '/v1/host');
  }

  /** The run's status, or `undefined` when the host does not hold it. */
  async run(runId: string): Promise<HostedRunStatus | undefined> {
    try {
      return await this.json<HostedRunStatus>('GET', `/v1/runs/${encodeURIComponent(runId)}`);
    } catch (error) {
      if (error instanceof RunHostError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Starts a run on the host. Throws SpawnError when its process cannot start. */
  async spawn(
    request: HostSpawnRequest,
  ): Promise<{ pid: number; identity: ProcessIdentity | null; outputStart?: number }> {
    try {
      return await this.json('POST', '/v1/runs', request);
    } catch (error) {
      if (error instanceof RunHostError && error.status === 422)
        throw new SpawnError(error.code, error.message, { cause: error });
      throw error;
    }
  }

  /** Releases an ended run's kept exit: a frozen route, answered by a host of any version. */
  /**
   * Releases an ended run's kept exit. With `pid`, only if the host still holds that process
   * (a restarted run's next generation is never collected by the last one's late release;
   * a host older than restarts ignores the parameter).
   */
  async collect(runId: string, pid?: number): Promise<void> {
    const only = pid === undefined ? '' : `?pid=${pid}`;
    await this.json('DELETE', `/v1/runs/${encodeURIComponent(runId)}${only}`);
  }

  async input(runId: string, data: Buffer): Promise<void> {
    await this.send(
      'POST',
      `/v1/runs/${encodeURIComponent(runId)}/input`,
      data,
      'application/octet-stream',
    );
  }

  async resize(runId: string, cols: number, rows: number): Promise<void> {
    await this.json('POST', `/v1/runs/${encodeURIComponent(runId)}/resize`, { cols, rows });
  }

  /** Opens the NDJSON output stream of a run from `since`. */
  follow(runId: string, since: number): Promise<IncomingMessage> {
    return this.open(
      'GET',
      `/v1/runs/${encodeURIComponent(runId)}/output?since=${since}`,
      undefined,
      '',
      false,
    );
  }

  close(): void {
    this.agent.destroy();
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return this.send(method, path, payload, 'application/json') as Promise<T>;
  }

  private async send(
    method: string,
    path: string,
    payload: Buffer | undefined,
    type: string,
  ): Promise<unknown> {
    const response = await this.open(method, path, payload, type, true);
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = response.statusCode ?? 0;
    const parsed = text === '' ? null : (JSON.parse(text) as unknown);
    if (status >= 400) {
      const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      throw new RunHostError(
        error?.code ?? 'E_RUN_HOST',
        error?.message ?? `run host answered ${status}`,
        status,
      );
    }
    return parsed;
  }

  private open(
    method: string,
    path: string,
    payload: Buffer | undefined,
    type: string,
    pooled: boolean,
  ): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          socketPath: this.socketPath,
          method,
          path,
          // A long-lived stream gets its own connection, outside the pool.
          agent: pooled ? this.agent : false,
          headers: {
            [PROTOCOL_HEADER]: String(this.written),
            ...(payload === undefined
              ? {}
              : { 'content-type': type, 'content-length': payload.length }),
          },
        },
        resolve,
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          new RunHostError(
            HOST_DOWN_CODES.has(error.code ?? '') ? 'E_RUN_HOST_DOWN' : 'E_RUN_HOST',
            `run host on ${this.socketPath}: ${error.message}`,
            null,
            { cause: error },
          ),
        );
      });
      req.end(payload);
    });
  }
}
