// fast-check arbitraries of spawn specs: every field of RunSpec either a plausible value
// or something strange (any value at all), plus unknown keys and non-objects.
import fc from 'fast-check';

const strange = fc.oneof(
  fc.anything(),
  fc.constantFrom(Number.NaN, Infinity, -1, 2 ** 31, 2 ** 53, '', '\0', null, [], {}, true),
);

/** Mostly a plausible value, sometimes anything at all. */
function field<T>(plausible: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: plausible }, { weight: 1, arbitrary: strange });
}

const duration = fc.integer({ min: 0, max: 5000 });
const label = fc.string({ minLength: 1, maxLength: 8 });

/** Specs to validate, from valid to absurd. */
export const anySpec: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: strange },
  {
    weight: 6,
    arbitrary: fc.record(
      {
        mode: field(fc.constantFrom('pty', 'child')),
        command: field(fc.constantFrom('true', 'sleep', 'echo', 'runwarden-fuzz-missing')),
        args: field(fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })),
        shell: field(fc.constantFrom(false, true, '/bin/sh', '/nonexistent/sh')),
        cwd: field(fc.constantFrom('/tmp', '/nonexistent-dir', 'relative/dir', '.')),
        env: field(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }))),
        extendEnv: field(fc.boolean()),
        cols: field(fc.integer({ min: 1, max: 500 })),
        rows: field(fc.integer({ min: 1, max: 500 })),
        stdin: field(fc.constantFrom('pipe', 'ignore')),
        scopeKey: field(fc.constantFrom('s1', 's2')),
        replaceExistingScope: field(fc.boolean()),
        sessionId: field(label),
        ownerId: field(label),
        backendId: field(label),
        timeoutMs: field(duration),
        noOutputTimeoutMs: field(duration),
        idleAfterMs: field(duration),
        killGraceMs: field(fc.integer({ min: 0, max: 1000 })),
        maxOutputBytes: field(fc.integer({ min: 1024, max: 1 << 20 })),
        onOrphan: field(fc.constantFrom('kill', 'reattach')),
        durable: field(fc.boolean()),
        maxLogBytes: field(fc.integer({ min: 64 * 1024, max: 1 << 22 })),
        unknownOption: strange,
      },
      { requiredKeys: [] },
    ),
  },
);

const SAFE_COMMANDS = new Set(['true', 'sleep', 'echo']);

/**
 * The same spec made harmless to run: a command outside `true`, `sleep`, `echo` (a random
 * string could name a real program) becomes a missing one, and so does a random shell.
 */
export function harmless(spec: unknown): unknown {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) return spec;
  const copy: Record<string, unknown> = { ...spec };
  if (typeof copy.command === 'string' && !SAFE_COMMANDS.has(copy.command)) {
    copy.command = 'runwarden-fuzz-missing';
  }
  if (typeof copy.shell === 'string' && copy.shell !== '/bin/sh') copy.shell = '/nonexistent/sh';
  return copy;
}
