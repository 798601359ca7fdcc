// normalizeRunSpec against random specs, generated with fast-check: a spec is accepted, or
// refused with an InvalidOptionError naming an option; nothing else is ever thrown.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { normalizeRunSpec } from '../../src/options/run-spec.js';
import { RUN_MARKER } from '../../src/os/run-marker.js';
import { anySpec } from '../support/spec-arbitraries.js';

test('any spec is normalized or refused with an InvalidOptionError, never anything else', () => {
  fc.assert(
    fc.property(anySpec, (spec) => {
      let descriptor;
      try {
        descriptor = normalizeRunSpec(spec, { defaultNoOutputTimeoutMs: 1000 });
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect((error as InvalidOptionError).message).toMatch(/^Invalid option `.+`: expected /s);
        return;
      }
      // What is accepted is plain, serializable data, and never carries a marker.
      expect(JSON.parse(JSON.stringify(descriptor))).toEqual(descriptor);
      expect(Object.keys(descriptor.env)).not.toContain(RUN_MARKER);
    }),
    { numRuns: 500 },
  );
});
