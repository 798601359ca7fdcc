// Validates a request's body or parameter with zod; failures are a 400 with the path.
import type { z } from 'zod';
import { ApiError } from './api-error.js';

export function parseRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') ?? '';
  throw new ApiError(
    400,
    'E_BAD_REQUEST',
    `invalid request${where === '' ? '' : ` at ${where}`}: ${issue?.message ?? 'invalid'}`,
  );
}

/** Decodes one percent-encoded path segment; a malformed one is a 400, not a URIError. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ApiError(400, 'E_BAD_REQUEST', `malformed percent-encoding in the path: ${segment}`);
  }
}
