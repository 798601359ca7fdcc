// The run host's wire protocol (HTTP/JSON on its 0600 Unix socket), shared by the host and
// its client. Requests are validated with zod on the host side: the socket is a boundary.
import { z } from 'zod';
import type { ProcessIdentity } from '../os/process-identity.js';

/**
 * The run host protocol this code speaks and its hosts answer (`protocol` on `GET /v1/host`,
 * and in `<name>.host.json`). 0.1.0's host answers no `protocol`: it speaks version 1.
 *
 * FROZEN: every version of runwarden keeps this part of the protocol as it is, so that a
 * supervisor and a host of any two versions can always tell whether they can speak, and a
 * supervisor that cannot bridge a host can still let it empty and exit:
 * - `GET /v1/host` answers `{ pid, startTicks, protocol }` (more fields may follow);
 * - `DELETE /v1/runs/<id>` releases a run whose process ended (200 `{ exit }`; 409
 *   `E_RUN_LIVE` while it runs, 404 `E_UNKNOWN_RUN` when not held), as 0.1.0's host did;
 * - every request states, in the `x-runwarden-protocol` header, the protocol it is WRITTEN
 *   IN (none means 1: 0.1.0's supervisor) — not the supervisor's own. A supervisor learns
 *   the host's protocol from `GET /v1/host` and, when it speaks it, writes every later
 *   request in it and states so (a supervisor whose own protocol is 2 and that also speaks
 *   1 states 1 to a host of 1). A host refuses any other route written in a protocol it
 *   cannot speak with 409 `{ error: { code: 'E_RUN_HOST_PROTOCOL' } }`. The two routes
 *   above always work, whatever the header says.
 */
export const HOST_PROTOCOL_VERSION = 1;

/** Every host protocol this supervisor can drive. */
export const SPOKEN_HOST_PROTOCOLS: readonly number[] = [1];

/** The header a request states the protocol it is written in (frozen). */
export const PROTOCOL_HEADER = 'x-runwarden-protocol';

/** Which protocol a process speaks: the one it answers or asks for, and all it can drive. */
export interface HostProtocol {
  readonly own: number;
  readonly spoken: readonly number[];
}

/** This build's protocol. */
export const THIS_HOST_PROTOCOL: HostProtocol = {
  own: HOST_PROTOCOL_VERSION,
  spoken: SPOKEN_HOST_PROTOCOLS,
};

/**
 * Tests only: a process of this build playing another runwarden whose protocol is
 * `protocol`, and that speaks only it. Set by an option (never from the environment).
 */
export function playedHostProtocol(protocol: number | undefined): HostProtocol {
  return protocol === undefined || protocol === HOST_PROTOCOL_VERSION
    ? THIS_HOST_PROTOCOL
    : { own: protocol, spoken: [protocol] };
}

/** Whether a request is on a frozen route, which works whatever protocol it states. */
export function isFrozenRoute(method: string, path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  if (parts[0] !== 'v1') return false;
  if (method === 'GET') return parts.length === 2 && parts[1] === 'host';
  return method === 'DELETE' && parts.length === 3 && parts[1] === 'runs';
}

/** The protocol a request is written in; none is 0.1.0's (1); anything unparsable is 0. */
export function requestProtocol(header: string | string[] | undefined): number {
  if (header === undefined) return 1;
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isInteger(value) && value > 0 ? value : 0;
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
