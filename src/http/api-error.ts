// How runwarden's HTTP/JSON APIs (the daemon's, the run host's) report failures: an HTTP
// status and a JSON body with a stable code.
import {
  InvalidOptionError,
  LimitExceededError,
  RunStateError,
  RunwardenError,
  StoreError,
  SupervisorStoppedError,
  UnknownGroupError,
  UnknownRunError,
} from '../errors.js';

/** A failure with its HTTP status. */
export class ApiError extends RunwardenError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** The status and JSON body for any error thrown while handling a request. */
export function toErrorResponse(error: unknown): {
  status: number;
  body: { error: { code: string; message: string } };
} {
  const [status, code, message] = classify(error);
  return { status, body: { error: { code, message } } };
}

function classify(error: unknown): [number, string, string] {
  if (error instanceof ApiError) return [error.status, error.code, error.message];
  if (error instanceof InvalidOptionError) return [400, error.code, error.message];
  if (error instanceof UnknownRunError) return [404, error.code, error.message];
  if (error instanceof UnknownGroupError) return [404, error.code, error.message];
  if (error instanceof RunStateError) return [409, error.code, error.message];
  if (error instanceof TypeError) return [409, 'E_NOT_SUPPORTED', error.message];
  if (error instanceof LimitExceededError) return [429, error.code, error.message];
  if (error instanceof SupervisorStoppedError) return [503, error.code, error.message];
  if (error instanceof StoreError) return [503, error.code, error.message];
  if (error instanceof RunwardenError) return [500, error.code, error.message];
  return [500, 'E_INTERNAL', error instanceof Error ? error.message : 'internal error'];
}
