// A supervisor's link to its run host: connects to the live host of (home, name), or
// starts one (detached, its own session) and waits until it serves. The host's identity
// (pid + start ticks) is verified against the process table before it is trusted.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { RUN_GENERATION, RUN_MARKER } from '../../os/run-marker.js';
import { readIdentity, type ProcessIdentity } from '../../os/process-identity.js';
import { RunHostClient, RunHostError, RunHostProtocolError } from './host-client.js';
import {
  HOST_PROTOCOL_VERSION,
  protocolOf,
  playedHostProtocol,
  type HostProtocol,
} from '../host-protocol.js';
import { runHostPaths, type RunHostPaths } from '../run-host-paths.js';

/** Every run host process carries this variable (value `<home>/<name>`): tests find leaks by it. */
export const RUN_HOST_MARKER = 'RUNWARDEN_RUN_HOST';

const START_TIMEOUT_MS = 10_000;

/** A verified connection to the host. */
export interface RunHostConnection {
  readonly client: RunHostClient;
  readonly identity: ProcessIdentity;
}

export class RunHostLink {
  readonly paths: RunHostPaths;
  private connecting: Promise<RunHostConnection> | null = null;
  readonly client: RunHostClient;
  private readonly protocol: HostProtocol;

  constructor(
    private readonly home: string,
    private readonly name: string,
    /** Tests only: the protocol this supervisor plays (another version's, or a set). */
    played?: number | HostProtocol,
  ) {
    this.protocol = typeof played === 'object' ? played : playedHostProtocol(played);
    this.paths = runHostPaths(home, name);
    this.client = new RunHostClient(this.paths.socket, this.protocol.own);
  }

  /** The live host, or `null` when none serves (never starts one). */
  async existing(): Promise<RunHostConnection | null> {
    try {
      return await this.verify();
    } catch (error) {
      if (error instanceof RunHostError && error.code === 'E_RUN_HOST_DOWN') return null;
      throw error;
    }
  }

  /** The live host, started if none serves. Concurrent callers share one start. */
  ensure(): Promise<RunHostConnection> {
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  close(): void {
    this.client.close();
  }

  private async connect(): Promise<RunHostConnection> {
    const live = await this.existing();
    if (live !== null) return live;
    await startHostProcess(this.home, this.name, this.protocol);
    // Another host may have won the lock in between: it serves as soon as it listens.
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.verify();
      } catch (error) {
        const down = error instanceof RunHostError && error.code === 'E_RUN_HOST_DOWN';
        if (!down || attempt >= 20) throw error;
        await sleep(50);
      }
    }
  }

  private async verify(): Promise<RunHostConnection> {
    const status = await this.client.status();
    const identity = readIdentity(status.pid);
    if (identity === undefined || identity.startTicks !== status.startTicks) {
      throw new RunHostError(
        'E_RUN_HOST_IDENTITY',
        `the process answering on ${this.paths.socket} is not the host it claims to be (pid ${status.pid})`,
      );
    }
    // Only once the answer is known to be the host's own is its protocol believed.
    const protocol = protocolOf(status);
    if (typeof protocol !== 'number' || !this.protocol.spoken.includes(protocol)) {
      throw new RunHostProtocolError(protocol, this.protocol.own, this.paths.socket, identity);
    }
    // Frozen: a request states the protocol it is written in, which is the host's own once
    // this supervisor speaks it (a host answers only the frozen routes of any other).
    this.client.speak(protocol);
    return { client: this.client, identity };
  }
}

/** The compiled host entry: from `dist/` itself, or from `src/` (tests) to the build. */
function hostEntry(): string {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL('../../../dist/host/server/run-host-main.js', here)
    : new URL('../server/run-host-main.js', here);
  return fileURLToPath(url);
}

async function startHostProcess(home: string, name: string, protocol: HostProtocol): Promise<void> {
  // A supervisor that is itself a run must not pass its marker to the host.
  const inherited = Object.entries(process.env).filter(
    ([key]) => key !== RUN_MARKER && key !== RUN_GENERATION && key !== 'RUNWARDEN_SUPERVISOR',
  );
  const env = { ...Object.fromEntries(inherited), [RUN_HOST_MARKER]: `${home}/${name}` };
  const played = protocol.own === HOST_PROTOCOL_VERSION ? [] : ['--protocol', String(protocol.own)];
  const child = spawn(process.execPath, [hostEntry(), home, name, ...played], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      fail(`no answer within ${START_TIMEOUT_MS} ms`);
    }, START_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new RunHostError('E_RUN_HOST_START', `could not start the run host: ${why}`));
    };
    child.once('error', (error) => {
      fail(error.message);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const end = out.indexOf('\n');
      if (end === -1) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      if (!out.includes('\n')) fail(`it exited (${code ?? 'signal'}): ${err.trim()}`);
    });
  });
  child.stdout.destroy();
  child.stderr.destroy();
  child.unref();
}
