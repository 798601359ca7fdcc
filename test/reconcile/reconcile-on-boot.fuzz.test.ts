// Boot against damaged records, generated with fast-check: random JSON, a real record with
// one part removed or replaced, wrong schema versions, huge fields, truncated stored text.
// Each is quarantined (and reported) or reconciled; boot never fails and never signals.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSupervisor } from '../../src/index.js';
import { checkIdentity } from '../../src/os/process-identity.js';
import { jsonPaths, withPath, withoutPath } from '../support/json-paths.js';
import {
  liveMarked,
  readRecorder,
  startBystander,
  type Bystander,
} from '../support/process-checks.js';
import { withRecords } from '../support/record-editor.js';
import { createTempHome } from '../support/temp-home.js';

type Stored = { readonly value: unknown } | { readonly raw: string };
interface RawAdapter {
  set(key: string, value: string): Promise<unknown>;
}

let canary: Bystander;
let baseText = '';
let baseId = '';

// A real record of a running run, its identity pointing at the canary's pid with another
// start time: the pid was reused by a process that is not the run's and must never die.
// The canary records every signal it gets: after all the boots it must have got none.
beforeAll(async () => {
  canary = await startBystander();
  const home = createTempHome();
  try {
    const sup = await createSupervisor({ home: home.path });
    const run = await sup.spawn({ command: 'sleep', args: ['30'], killGraceMs: 100 });
    const record = await withRecords(home.path, (store) => store.get(store.runKey(run.id)));
    await run.cancel();
    await sup.shutdown();
    const identity = { ...canary.identity, startTicks: canary.identity.startTicks + 1 };
    let base = withPath(record, ['snapshot', 'context', 'identity'], identity);
    base = withPath(base, ['snapshot', 'context', 'pid'], canary.identity.pid);
    baseText = JSON.stringify(base);
    baseId = run.id;
  } finally {
    home.remove();
  }
});
afterAll(() => canary.stop());

/** The base record for run `id`. */
function baseFor(id: string): unknown {
  return JSON.parse(baseText.replaceAll(baseId, id));
}

const DESCRIPTOR = ['snapshot', 'context', 'descriptor'];

/** Damaged records for run `id`. */
function damaged(id: string): fc.Arbitrary<Stored> {
  const base = baseFor(id);
  const paths = jsonPaths(base);
  const keyvText = JSON.stringify({ value: base });
  return fc.oneof(
    fc.jsonValue().map((value) => ({ value })),
    fc.constantFrom(...paths).map((path) => ({ value: withoutPath(base, path) })),
    fc
      .tuple(fc.constantFrom(...paths), fc.jsonValue({ maxDepth: 2 }))
      .map(([path, value]) => ({ value: withPath(base, path, value) })),
    fc
      .constantFrom(0, 2, -1, '1', null, 1.5)
      .map((version) => ({ value: withPath(base, ['schemaVersion'], version) })),
    fc
      .oneof(
        fc
          .integer({ min: 1 << 20, max: 4 << 20 })
          .map((n) => withPath(base, [...DESCRIPTOR, 'command'], 'x'.repeat(n))),
        fc
          .integer({ min: 1000, max: 50_000 })
          .map((n) => withPath(base, [...DESCRIPTOR, 'args'], Array.from({ length: n }, String))),
        fc
          .constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 53, 1e308)
          .map((n) => withPath(base, ['snapshot', 'context', 'outputBytes'], n)),
      )
      .map((value) => ({ value })),
    // A torn write: the stored text itself cut short, or bytes of another program.
    fc.integer({ min: 0, max: keyvText.length - 1 }).map((n) => ({ raw: keyvText.slice(0, n) })),
    fc.string({ maxLength: 200 }).map((raw) => ({ raw })),
  );
}

async function store(home: string, id: string, stored: Stored): Promise<void> {
  await withRecords(home, async (records) => {
    const key = records.runKey(id);
    if ('value' in stored) await records.set(key, stored.value, 'store a damaged record');
    // Past Keyv's serializer, straight into the adapter (`keyv:` is Keyv's key prefix).
    else await (records.keyv.store as RawAdapter).set(`keyv:${key}`, stored.raw);
  });
}

test('a damaged record is quarantined or reconciled: boot never fails, nothing is signalled', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constant(null).chain(() => damaged(`rfuzz${randomUUID().replaceAll('-', '')}`)),
      async (stored) => {
        const home = createTempHome();
        try {
          const id = /rfuzz[0-9a-f]+/.exec(JSON.stringify(stored))?.[0] ?? 'rfuzz-none';
          await store(home.path, id, stored);
          const sup = await createSupervisor({ home: home.path });
          const report = sup.lastReconcile;
          const quarantined = report?.quarantined.some((q) => q.runId === id) === true;
          // Nothing of the run lives, and the canary is not the run: nothing to signal.
          expect(report?.killed).toEqual([]);
          expect(report?.reattached).toEqual([]);
          const placed = [
            quarantined,
            report?.otherHosts === 1,
            report?.expired === 1,
            sup.get(id) !== undefined,
            // A version above this code's (2 here) is a newer runwarden's: left untouched.
            report?.newer.some((newer) => newer.runId === id) === true,
          ].filter(Boolean);
          expect(placed).toHaveLength(1);
          await sup.shutdown();
          if (quarantined) {
            const kept = await withRecords(home.path, (records) =>
              records.get(`default/quarantine/${id}`),
            );
            expect(kept).toMatchObject({ reason: expect.any(String) as string });
          }
          expect(checkIdentity(canary.identity)).toBe('alive');
          expect(readRecorder(canary.file).signals).toEqual([]);
          expect(liveMarked(id)).toEqual([]);
        } finally {
          home.remove();
        }
      },
    ),
    { numRuns: 60 },
  );
  await canary.expectNeverSignalled();
}, 120_000);
