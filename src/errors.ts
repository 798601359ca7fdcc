/** Base class of every error runwarden throws or records. `code` is stable; `cause` is kept. */
export class RunwardenError extends Error {
  /** Stable machine-readable code, e.g. `E_COMMAND_NOT_FOUND`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A run could not be started: the command or cwd is missing, not executable, or spawn failed. */
export class SpawnError extends RunwardenError {}

/** The supervisor is shutting down or stopped and accepts no new work. */
export class SupervisorStoppedError extends RunwardenError {
  constructor(message = 'the supervisor is shutting down and accepts no new runs') {
    super('E_SUPERVISOR_STOPPED', message);
  }
}

/** A configured limit (for example `limits.maxLiveRuns`) would be exceeded. */
export class LimitExceededError extends RunwardenError {}

/** No run with this id is known to the supervisor. */
export class UnknownRunError extends RunwardenError {
  constructor(readonly runId: string) {
    super('E_UNKNOWN_RUN', `no run with id ${JSON.stringify(runId)} is known to this supervisor`);
  }
}

/** No live group with this path is known to the supervisor. */
export class UnknownGroupError extends RunwardenError {
  constructor(readonly path: string) {
    super('E_UNKNOWN_GROUP', `no live group ${JSON.stringify(path)} is known to this supervisor`);
  }
}

/** An operation does not apply to the run in its current state (e.g. writing to a finished run). */
export class RunStateError extends RunwardenError {}

/** The platform lacks what runwarden needs to verify process identity. */
export class UnsupportedPlatformError extends RunwardenError {
  constructor(platform: string) {
    super(
      'E_UNSUPPORTED_PLATFORM',
      `runwarden verifies process identity through /proc (Linux) or ps (macOS); ${platform} is not supported`,
    );
  }
}

/** An option has an invalid value. A TypeError, as for any bad argument, naming option and value. */
export class InvalidOptionError extends TypeError {
  readonly code = 'E_INVALID_OPTION';

  constructor(
    readonly option: string,
    readonly received: unknown,
    expected: string,
  ) {
    super(
      `Invalid option \`${option}\`: expected ${expected}, received ${describeValue(received)}`,
    );
    this.name = 'InvalidOptionError';
  }
}

/** Hides passwords of URLs (`//user:secret@`, `?password=secret`) in a string. */
export function redactCredentials(text: string): string {
  return text
    .replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/g, '$1***@')
    .replace(/(password=)[^&\s]*/gi, '$1***');
}

/** Short, safe rendering of a received value for an error message. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(redactCredentials(value.length > 80 ? `${value.slice(0, 80)}…` : value));
  }
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

/** The record store failed: unreachable, read-only, locked, or returned garbage. */
export class StoreError extends RunwardenError {}

/** Another live supervisor of the same name already owns this host's runs. */
export class SupervisorBusyError extends RunwardenError {
  constructor(
    message: string,
    /** Pid of the supervisor that holds the lease. */
    readonly ownerPid: number,
  ) {
    super('E_SUPERVISOR_BUSY', message);
  }
}

/** A serializable `{ code, message }` for any error (records and exits keep these). */
export function toErrorInfo(
  error: unknown,
  fallbackCode = 'E_SPAWN',
): { code: string; message: string } {
  if (error instanceof RunwardenError) return { code: error.code, message: error.message };
  if (error instanceof Error) {
    return { code: (error as NodeJS.ErrnoException).code ?? fallbackCode, message: error.message };
  }
  return { code: fallbackCode, message: typeof error === 'string' ? error : 'unknown error' };
}

/**
 * A control group operation failed: no access (`E_CGROUP_ACCESS`), the cgroup is gone
 * (`E_CGROUP_NOT_FOUND`), still populated (`E_CGROUP_BUSY`), lacks an interface file or a
 * controller (`E_CGROUP_UNSUPPORTED`), a wait timed out (`E_CGROUP_TIMEOUT`), the process is
 * not where it should be (`E_CGROUP_MOVE`), or containment is unavailable here
 * (`E_CGROUP_UNAVAILABLE`). `path` names the cgroup directory.
 */
export class CgroupError extends RunwardenError {
  /** Processes still in the cgroup, where that is what went wrong (busy, timeout). */
  readonly pids: readonly number[];

  constructor(
    code: string,
    message: string,
    /** The cgroup directory (or file) concerned. */
    readonly path: string,
    options?: { cause?: unknown; pids?: readonly number[] },
  ) {
    super(code, message, options);
    this.pids = options?.pids ?? [];
  }
}
