// The run host's wire protocol (HTTP/JSON on its 0600 Unix socket), shared by the host and
// its client. Requests are validated with zod on the host side: the socket is a boundary.
import { z } from 'zod';
import type { ProcessIdentity } from '../os/process-identity.js';

/**
 * The run host protocol this code speaks and its hosts answer (`protocol` on `GET /v1/host`,
 * and in `<name>.host.json`). Every version must keep answering `GET /v1/host` with `pid`,
 * `startTicks` and `protocol`: it is how a supervisor of any version tells whether it can
 * speak to a host. 0.1.0's host answers no `protocol`: it speaks version 1.
 */
export const HOST_PROTOCOL_VERSION = 1;

/** Every host protocol this supervisor can drive. */
export const SPOKEN_HOST_PROTOCOLS: readonly number[] = [1];

/**
 * Tests only: this process (its host, or its supervisor) plays a runwarden whose host
 * protocol is this one, and speaks only it. It is how a test reaches the cannot-bridge path
 * with real processes of this build, in both directions.
 */
export const TEST_HOST_PROTOCOL_VARIABLE = 'RUNWARDEN_TEST_HOST_PROTOCOL';

/** The protocol this process's host answers, and its supervisor asks for. */
export function ownHostProtocol(): number {
  const override = Number(process.env[TEST_HOST_PROTOCOL_VARIABLE]);
  return Number.isInteger(override) && override > 0 ? override : HOST_PROTOCOL_VERSION;
}

/** The protocols this process's supervisor can drive. */
export function spokenHostProtocols(): readonly number[] {
  const own = ownHostProtocol();
  return own === HOST_PROTOCOL_VERSION ? SPOKEN_HOST_PROTOCOLS : [own];
}

/** The protocol a host says it speaks; a host that says nothing is 0.1.0's (1). */
export function protocolOf(status: { readonly protocol?: unknown }): number | string {
  const protocol = status.protocol ?? 1;
  return typeof protocol === 'number' ? protocol : JSON.stringify(protocol);
}

/** A run id as created by the supervisor: it names a directory, so nothing else passes. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

const duration = z
  .number()
  .int()
  .positive()
  .max(2 ** 31 - 1)
  .nullable();

export const hostSpawnRequest = z.strictObject({
  runId: z.string().regex(RUN_ID_PATTERN),
  mode: z.enum(['pty', 'child']),
  launch: z.strictObject({
    file: z.string().min(1),
    args: z.array(z.string()),
    cwd: z.string().min(1),
    env: z.record(z.string(), z.string()),
    cols: z.number().int().min(1).max(10_000),
    rows: z.number().int().min(1).max(10_000),
    stdin: z.enum(['pipe', 'ignore']),
  }),
  timeoutMs: duration,
  noOutputTimeoutMs: duration,
  killGraceMs: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
  logCapBytes: z
    .number()
    .int()
    .min(4096)
    .max(2 ** 40),
});
export type HostSpawnRequest = z.infer<typeof hostSpawnRequest>;

export const hostResizeRequest = z.strictObject({
  cols: z.number().int().min(1).max(10_000),
  rows: z.number().int().min(1).max(10_000),
});

/** Why a hosted run's process ended, as the host saw it. */
export type HostedExitReason = 'exit' | 'signal' | 'timeout' | 'no-output-timeout';

/** A hosted run's end, kept (in memory and in its run directory) until collected. */
export interface HostedExit {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly reason: HostedExitReason;
  readonly endedAt: number;
}

export const hostedExitSchema = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  reason: z.enum(['exit', 'signal', 'timeout', 'no-output-timeout']),
  endedAt: z.number(),
});

/** What the host tells about one run. */
export interface HostedRunStatus {
  readonly runId: string;
  readonly pid: number;
  /** Read by the host right after the spawn; `null` if the process was already gone. */
  readonly identity: ProcessIdentity | null;
  readonly outputEnd: number;
  readonly exit: HostedExit | null;
}

/** What the host tells about itself. */
export interface RunHostStatus {
  /** The host protocol version; absent from 0.1.0's host (version 1). */
  readonly protocol?: number;
  readonly pid: number;
  readonly startTicks: number;
  readonly runs: readonly HostedRunStatus[];
}

/** One line of the output stream (NDJSON), as the daemon's own follow stream. */
export type HostStreamLine =
  | { readonly type: 'output'; readonly offset: number; readonly data: string }
  | { readonly type: 'dropped'; readonly bytes: number }
  | { readonly type: 'exit'; readonly exit: HostedExit };
