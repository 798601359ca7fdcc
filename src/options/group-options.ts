// A group's id and options: their validation, and their normalized form.
import { z } from 'zod';
import { InvalidOptionError } from '../errors.js';
import { GROUP_DEFAULTS } from '../support/limits.js';
import type { GroupOptions, GroupSettings } from '../types.js';
import { parseOptions } from './invalid-option.js';

export type { GroupSettings } from '../types.js';

// A group id is one segment of a path (`agent-1/mcp`), and the group's actor is registered
// as `group:<path>`: the same characters as a run id, no `/`, no leading dot.
const GROUP_ID = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/;
/** Groups nest at most this deep: a tree is a session's shape, not a store of paths. */
export const MAX_GROUP_DEPTH = 8;

const groupOptionsSchema = z.strictObject({
  strategy: z.enum(['one-for-one', 'one-for-all', 'rest-for-one']).optional(),
  maxRestarts: z.number().int().min(0).max(10_000).optional(),
  restartWindowMs: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional(),
});

/** Validates a group's options and fills in defaults. Throws InvalidOptionError. */
export function normalizeGroupOptions(options: unknown): GroupSettings {
  const parsed = parseOptions(groupOptionsSchema, options ?? {}, 'group options');
  return {
    strategy: parsed.strategy ?? GROUP_DEFAULTS.strategy,
    maxRestarts: parsed.maxRestarts ?? GROUP_DEFAULTS.maxRestarts,
    restartWindowMs: parsed.restartWindowMs ?? GROUP_DEFAULTS.restartWindowMs,
  };
}

/** Validates one group id (a path segment). Throws InvalidOptionError. */
export function checkGroupId(id: unknown): string {
  if (typeof id !== 'string' || !GROUP_ID.test(id)) {
    throw new InvalidOptionError(
      'group id',
      id,
      'letters, digits, _ . - (up to 64, no / or leading dot)',
    );
  }
  return id;
}

/** Validates a group path (`a/b/c`) and returns its segments. Throws InvalidOptionError. */
export function parseGroupPath(path: unknown): string[] {
  if (typeof path !== 'string' || path === '') {
    throw new InvalidOptionError('group', path, 'a group path such as agent-1 or agent-1/mcp');
  }
  const segments = path.split('/');
  if (segments.length > MAX_GROUP_DEPTH) {
    throw new InvalidOptionError('group', path, `at most ${MAX_GROUP_DEPTH} nested groups`);
  }
  for (const segment of segments) {
    if (!GROUP_ID.test(segment)) {
      throw new InvalidOptionError('group', path, 'segments of letters, digits, _ . - joined by /');
    }
  }
  return segments;
}

/** Whether explicitly given options ask for something other than the group's settings. */
export function conflictingOption(
  given: GroupOptions | undefined,
  settings: GroupSettings,
): keyof GroupSettings | null {
  if (given === undefined) return null;
  for (const key of ['strategy', 'maxRestarts', 'restartWindowMs'] as const) {
    if (given[key] !== undefined && given[key] !== settings[key]) return key;
  }
  return null;
}
