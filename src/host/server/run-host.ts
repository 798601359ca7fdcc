// The run host: a small detached process (its own session) that holds durable runs (their
// PTY masters or pipes, their output logs, their deadlines) for one (home, supervisor name)
// and outlives any supervisor. It exits by itself once it holds no run.
import { chmodSync, existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Logger } from '../../support/logger.js';
import { toErrorResponse } from '../../http/api-error.js';
import { send } from '../../http/send.js';
import { readIdentity } from '../../os/process-identity.js';
import { takeHostLock, type HostLock } from '../../persistence/host-lock.js';
import { HostedRun } from './hosted-run.js';
import type { HostProtocol, HostSpawnRequest, RunHostStatus } from '../host-protocol.js';
import { routeHostRequest, type RunHostState } from './run-host-server.js';
import { runDirFor, type RunHostPaths } from '../run-host-paths.js';

/** The lock key of the host of (home, name): one host each, host-wide. */
export function runHostLockKey(home: string, name: string): string {
  return `run-host\0${home}\0${name}`;
}

export class RunHost implements RunHostState {
  private readonly runs = new Map<string, HostedRun>();
  private server: Server | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly startTicks: number;

  private constructor(
    private readonly paths: RunHostPaths,
    private readonly lock: HostLock,
    private readonly logger: Logger,
    private readonly lingerMs: number,
    private readonly onStopped: () => void,
    private readonly protocol: HostProtocol,
  ) {
    this.startTicks = readIdentity(process.pid)?.startTicks ?? 0;
  }

  /**
   * Takes the host lock and listens on the socket. Resolves `null` when another live host
   * already serves (home, name).
   */
  static async open(options: {
    home: string;
    name: string;
    paths: RunHostPaths;
    logger: Logger;
    lingerMs: number;
    onStopped: () => void;
    protocol: HostProtocol;
  }): Promise<RunHost | null> {
    const lock = await takeHostLock(runHostLockKey(options.home, options.name));
    if (lock === null) return null;
    const host = new RunHost(
      options.paths,
      lock,
      options.logger,
      options.lingerMs,
      options.onStopped,
      options.protocol,
    );
    await host.listen();
    return host;
  }

  status(): RunHostStatus {
    return {
      protocol: this.protocol.own,
      pid: process.pid,
      startTicks: this.startTicks,
      runs: [...this.runs.values()].map((run) => run.status()),
    };
  }

  get(runId: string): HostedRun | undefined {
    return this.runs.get(runId);
  }

  async start(request: HostSpawnRequest): Promise<HostedRun> {
    this.cancelIdleExit();
    try {
      const run = await HostedRun.start(request, runDirFor(this.paths, request.runId), this.logger);
      this.runs.set(run.runId, run);
      this.logger.info({ runId: run.runId, pid: run.pid }, 'hosted run started');
      return run;
    } finally {
      this.scheduleIdleExit();
    }
  }

  speaks(protocol: number): boolean {
    return this.protocol.spoken.includes(protocol);
  }

  collect(runId: string): void {
    this.runs.get(runId)?.collect();
    this.runs.delete(runId);
    this.logger.info({ runId }, 'hosted run collected');
    this.scheduleIdleExit();
  }

  /** Stops serving: closes the socket, removes its files, frees the lock. Never signals. */
  async stop(): Promise<void> {
    this.cancelIdleExit();
    const server = this.server;
    this.server = null;
    if (server !== null) {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
    for (const path of [this.paths.socket, this.paths.identity]) {
      if (existsSync(path)) unlinkSync(path);
    }
    await this.lock.release();
    this.onStopped();
  }

  private async listen(): Promise<void> {
    // The lock is ours, so a socket left here is a dead host's.
    if (existsSync(this.paths.socket)) unlinkSync(this.paths.socket);
    const server = createServer((request, response) => {
      // A host is never idle while it serves a request (a spawn may be on its way).
      this.cancelIdleExit();
      response.once('close', () => {
        this.scheduleIdleExit();
      });
      routeHostRequest(this, request, response).catch((error: unknown) => {
        const { status, body } = toErrorResponse(error);
        if (status >= 500) this.logger.error({ err: error, url: request.url }, 'request failed');
        if (!response.headersSent) send(response, status, body);
        else response.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.paths.socket, () => {
        server.off('error', reject);
        resolve();
      });
    });
    chmodSync(this.paths.socket, 0o600);
    this.server = server;
    writeFileSync(
      this.paths.identity,
      `${JSON.stringify({ pid: process.pid, startTicks: this.startTicks, protocol: this.protocol.own })}\n`,
      { mode: 0o600 },
    );
    chmodSync(this.paths.identity, 0o600);
    this.scheduleIdleExit();
  }

  // A host holding no run (all collected, or none ever started) exits after a short linger,
  // so back-to-back durable spawns reuse it.
  private scheduleIdleExit(): void {
    if (this.runs.size > 0 || this.idleTimer !== null || this.server === null) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.runs.size === 0) void this.stop();
    }, this.lingerMs);
  }

  private cancelIdleExit(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}
