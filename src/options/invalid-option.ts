// Turns a schema failure into the InvalidOptionError naming the option and the value received.
import type { z } from 'zod';
import { InvalidOptionError } from '../errors.js';

/** Parses `value` with `schema`, throwing InvalidOptionError for the first problem. */
export function parseOptions<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new InvalidOptionError(prefix, value, 'valid options');
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return fail(prefix, [...path, key], value, 'no such option (check the spelling)');
  }
  return fail(prefix, path, value, expectation(issue.message));
}

// The value as a whole is named by `prefix` (e.g. `spec`); anything inside it by its path.
function fail(prefix: string, path: string[], root: unknown, expected: string): never {
  const name = path.length === 0 ? prefix : path.join('.');
  throw new InvalidOptionError(name, valueAt(root, path), expected);
}

// zod messages read "Invalid input: expected string, received number"; keep what was expected.
// Our own messages ("expected a clock (now, setTimeout, clearTimeout)") may hold commas: only
// zod's trailing ", received ..." is cut, never the expectation itself.
function expectation(message: string): string {
  const match = /expected (.+?)(?:, received .*)?$/is.exec(message);
  return match?.[1] ?? message;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
